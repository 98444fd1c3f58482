// Package clamdtest runs a loopback server speaking clamd's INSTREAM
// protocol for tests. Its one signature is the EICAR test file, which
// every antivirus product detects by agreement.
package clamdtest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// EICAR is the standard antivirus test file.
const EICAR = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// Server is a clamd on loopback.
type Server struct {
	Addr string
	// MaxStream is clamd's StreamMaxLength: a longer stream is answered
	// with its size-limit error. 0 means no limit.
	MaxStream int
	// Scans counts the streams scanned to the end.
	Scans atomic.Int64
	ln    net.Listener
	wg    sync.WaitGroup
}

// Start listens on loopback until t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln}
	s.wg.Go(s.serve)
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *Server) serve() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Go(func() {
			defer conn.Close()
			s.handle(conn)
		})
	}
}

// handle speaks one INSTREAM exchange, with the z (NUL-terminated) or n
// (newline-terminated) command prefix as clamd does.
func (s *Server) handle(conn net.Conn) {
	br := bufio.NewReader(conn)
	prefix, err := br.ReadByte()
	if err != nil {
		return
	}
	end := byte(0)
	if prefix == 'n' {
		end = '\n'
	}
	cmd, err := br.ReadString(end)
	if err != nil {
		return
	}
	reply := func(msg string) { io.WriteString(conn, msg+string(end)) }
	if strings.TrimSuffix(cmd, string(end)) != "INSTREAM" {
		reply("UNKNOWN COMMAND")
		return
	}
	var content bytes.Buffer
	var size [4]byte
	for {
		if _, err := io.ReadFull(br, size[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(size[:])
		if n == 0 {
			break
		}
		if s.MaxStream > 0 && content.Len()+int(n) > s.MaxStream {
			reply("INSTREAM size limit exceeded. ERROR")
			return
		}
		if _, err := io.CopyN(&content, br, int64(n)); err != nil {
			return
		}
	}
	s.Scans.Add(1)
	if bytes.Contains(content.Bytes(), []byte(EICAR)) {
		reply("stream: Eicar-Test-Signature FOUND")
		return
	}
	reply("stream: OK")
}
