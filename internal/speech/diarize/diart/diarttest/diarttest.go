// Package diarttest is a loopback server speaking Diart's WebSocket
// protocol, for tests of the Diart client and of what uses it.
package diarttest

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// blockSamples is Diart's default step, 0.5 s at 16 kHz: what every
// message must carry. It is spelled out here rather than taken from the
// diart package, whose own tests use this server.
const blockSamples = 8000

// Server speaks Diart's WebSocket protocol on a raw TCP listener, so
// that it sees every frame header the client sends: it fails the test on a
// binary, fragmented, compressed or wrongly sized message, decodes the
// base64 float32 blocks, and replies the way diart.serve does with its
// defaults (duration 5 s, step = latency = 0.5 s): nothing until 5 s of
// audio, then RTTM covering [0, 5], then one reply per block covering that
// block; nothing for silence. Its "speaker" is told by loudness: RMS below
// 0.01 is silence, below 0.2 "speaker0", else "speaker1".
type Server struct {
	t        testing.TB
	ln       net.Listener
	silent   bool // never reply, like a server stuck loading its models
	mu       sync.Mutex
	frames   int
	blocks   int
	problems []string
	wg       sync.WaitGroup
}

// New starts a server; with silent it never replies, like a server stuck
// loading its models. Its problems with the client's frames fail t when
// the test ends.
func New(t testing.TB, silent bool) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &Server{t: t, ln: ln, silent: silent}
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(func() {
		ln.Close()
		f.wg.Wait()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, p := range f.problems {
			t.Error(p)
		}
	})
	return f
}

// URL is the server's ws:// address.
func (f *Server) URL() string { return "ws://" + f.ln.Addr().String() }

// Close stops listening: new connections are refused.
func (f *Server) Close() { f.ln.Close() }

// Counts returns how many WebSocket frames the server has read and how
// many audio blocks they carried.
func (f *Server) Counts() (frames, blocks int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.frames, f.blocks
}

func (f *Server) problem(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

func (f *Server) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer c.Close()
			f.conn(c)
		}()
	}
}

func (f *Server) conn(c net.Conn) {
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		f.problem("handshake: %v", err)
		return
	}
	if ext := req.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		f.problem("client offered extensions %q; Diart's server has none", ext)
	}
	h := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	fmt.Fprintf(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		base64.StdEncoding.EncodeToString(h[:]))
	var audio []float32
	for {
		fin, rsv, op, payload, err := readFrame(br)
		if err != nil {
			return
		}
		f.mu.Lock()
		f.frames++
		f.mu.Unlock()
		switch {
		case op == 0x8: // close: answer and stop
			writeFrame(c, 0x8, payload)
			return
		case op == 0x9: // ping
			writeFrame(c, 0xA, payload)
			continue
		case op == 0xA:
			continue
		}
		if !fin || op == 0 {
			f.problem("fragmented message (fin=%v, opcode=%d): Diart drops continuation frames", fin, op)
			continue
		}
		if rsv != 0 {
			f.problem("frame with RSV bits %b (compression)", rsv)
		}
		if op != 0x1 {
			f.problem("opcode %d: Diart takes TEXT frames only", op)
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(string(payload))
		if err != nil {
			f.problem("payload is not standard base64: %v", err)
			continue
		}
		if len(raw) != 4*blockSamples {
			f.problem("block of %d bytes, want %d (8000 float32 samples)", len(raw), 4*blockSamples)
			continue
		}
		for i := 0; i < len(raw); i += 4 {
			audio = append(audio, math.Float32frombits(binary.LittleEndian.Uint32(raw[i:])))
		}
		f.mu.Lock()
		f.blocks++
		f.mu.Unlock()
		if f.silent {
			continue
		}
		n := len(audio) / blockSamples
		switch {
		case n < 10:
		case n == 10:
			f.reply(c, audio, 0, 10)
		default:
			f.reply(c, audio, n-1, n)
		}
	}
}

// reply sends the RTTM of blocks [from, to) as one frame, or nothing.
func (f *Server) reply(c net.Conn, audio []float32, from, to int) {
	var b strings.Builder
	for i := from; i < to; i++ {
		blk := audio[i*blockSamples : (i+1)*blockSamples]
		var e float64
		for _, v := range blk {
			e += float64(v) * float64(v)
		}
		rms := math.Sqrt(e / float64(len(blk)))
		if rms < 0.01 {
			continue
		}
		spk := "speaker0"
		if rms >= 0.2 {
			spk = "speaker1"
		}
		// Frame centres: a piece starts a little after the block edge.
		fmt.Fprintf(&b, "SPEAKER <NA> 1 %.3f %.3f <NA> <NA> %s <NA> <NA>\n", float64(i)*0.5+0.017, 0.483, spk)
	}
	if b.Len() > 0 {
		writeFrame(c, 0x1, []byte(b.String()))
	}
}

func readFrame(r *bufio.Reader) (fin bool, rsv, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return
	}
	fin, rsv, op = h[0]&0x80 != 0, (h[0]>>4)&0x7, h[0]&0x0F
	masked := h[1]&0x80 != 0
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	var mask [4]byte
	if masked {
		if _, err = io.ReadFull(r, mask[:]); err != nil {
			return
		}
	}
	if n > 1<<20 {
		err = fmt.Errorf("frame of %d bytes", n)
		return
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	if masked {
		for i := range payload {
			payload[i] ^= mask[i%4]
		}
	}
	return
}

func writeFrame(w io.Writer, op byte, payload []byte) {
	hdr := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, byte(n))
	case n < 1<<16:
		hdr = append(hdr, 126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, 127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	w.Write(append(hdr, payload...))
}
