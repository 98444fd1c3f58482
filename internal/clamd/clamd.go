// Package clamd asks a ClamAV daemon whether content is infected, over
// its INSTREAM protocol: "zINSTREAM\0", then chunks each preceded by its
// length as 4 bytes big-endian, then a zero length; the daemon answers
// "stream: OK" or "stream: <signature> FOUND", each ending in a NUL.
package clamd

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// ErrUnavailable: the daemon could not be reached or did not answer as
// clamd does; the content's verdict is unknown.
var ErrUnavailable = errors.New("virus scanner unavailable")

// chunkSize is below clamd's default StreamMaxLength chunking and big
// enough that a 25 MB file is a few hundred writes.
const chunkSize = 64 << 10

// Client scans content with the clamd at Addr.
type Client struct {
	// Addr is host:port of clamd's TCP socket (TCPSocket in clamd.conf),
	// or a path to its Unix socket when it starts with '/'.
	Addr string
	// Timeout bounds one whole scan; 0 means two minutes.
	Timeout time.Duration
}

// Verdict is what clamd said about a content.
type Verdict struct {
	Infected bool
	// Signature names what was found ("Eicar-Test-Signature").
	Signature string
}

// Scan sends r's content to clamd and returns its verdict. An error
// unwraps to ErrUnavailable when clamd cannot give one (unreachable,
// too large for its StreamMaxLength, an answer it never gives).
func (c *Client) Scan(ctx context.Context, r io.Reader) (Verdict, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	network := "tcp"
	if strings.HasPrefix(c.Addr, "/") {
		network = "unix"
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, c.Addr)
	if err != nil {
		return Verdict{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// Closing the connection is what interrupts a blocked read or write
	// when ctx ends before the deadline.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	if err := send(conn, r); err != nil {
		if ctx.Err() != nil {
			return Verdict{}, fmt.Errorf("%w: %v", ErrUnavailable, ctx.Err())
		}
		return Verdict{}, err
	}
	reply, err := bufio.NewReader(io.LimitReader(conn, 1024)).ReadString(0)
	if err != nil && (reply == "" || !errors.Is(err, io.EOF)) {
		return Verdict{}, fmt.Errorf("%w: reading the reply: %v", ErrUnavailable, err)
	}
	return parse(strings.TrimRight(reply, "\x00\n"))
}

// send writes the command, the content in chunks and the end mark. A
// failing r is the caller's error; a failing connection is clamd's.
func send(conn net.Conn, r io.Reader) error {
	w := bufio.NewWriterSize(conn, chunkSize+4)
	if _, err := w.WriteString("zINSTREAM\x00"); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	buf := make([]byte, chunkSize)
	var size [4]byte
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			binary.BigEndian.PutUint32(size[:], uint32(n))
			w.Write(size[:])
			if _, err := w.Write(buf[:n]); err != nil {
				return fmt.Errorf("%w: %v", ErrUnavailable, err)
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("clamd: reading the content: %w", rerr)
		}
	}
	binary.BigEndian.PutUint32(size[:], 0)
	w.Write(size[:])
	if err := w.Flush(); err != nil {
		// clamd closes the stream early when the content passes its
		// StreamMaxLength; it may have said so, but the verdict is lost.
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

func parse(reply string) (Verdict, error) {
	rest, ok := strings.CutPrefix(reply, "stream: ")
	switch {
	case !ok:
		return Verdict{}, fmt.Errorf("%w: unexpected reply %q", ErrUnavailable, cut(reply))
	case rest == "OK":
		return Verdict{}, nil
	case strings.HasSuffix(rest, " FOUND"):
		return Verdict{Infected: true, Signature: strings.TrimSuffix(rest, " FOUND")}, nil
	default:
		// "INSTREAM size limit exceeded. ERROR" and the like.
		return Verdict{}, fmt.Errorf("%w: clamd says %q", ErrUnavailable, cut(rest))
	}
}

func cut(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
