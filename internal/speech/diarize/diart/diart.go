// Package diart is a diarization provider that is a client of Diart's
// streaming WebSocket server (`diart.serve`, shared/PROTOCOLS.md §1).
//
// The protocol, as the server has it: the client sends TEXT frames, each
// one unfragmented message holding the base64 of exactly step × rate =
// 8000 float32 little-endian mono samples at 16 kHz (the server drops
// binary and continuation frames and pops one step per message); the
// server answers with TEXT frames of RTTM lines in stream time — nothing
// until it has its first 5 s chunk (then one reply covering [0, 5]), then
// one reply per block, and nothing at all for a block of silence. A turn
// that spans blocks arrives in pieces, which are merged here when no more
// than 0.1 s apart.
//
// The server keeps one stream for its whole life and talks to the last
// client that sent audio: run one Diart process per live session, since a
// second connection continues the first one's stream time and speakers.
package diart

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/diarize/rttm"
)

const (
	// BlockSamples is what every message carries: Diart's default step
	// (0.5 s) at 16 kHz. The server must run with --step 0.5.
	BlockSamples = speech.SampleRate / 2
	blockMS      = 1000 * BlockSamples / speech.SampleRate
	// mergeGapMS joins pieces of one speaker's turn cut at block edges.
	mergeGapMS = 100
	// DefaultTimeout is how long Turns waits, after the audio up to the
	// asked time went out, for a reply that covers it. Diart keeps up with
	// real time (one 0.5 s step per 0.5 s) on the hardware it is meant for;
	// a block with no reply after this long was silence.
	DefaultTimeout = 2 * time.Second
	// firstChunkBlocks is Diart's default duration (5 s) in blocks: the
	// server says nothing before it has that much audio, so its silence
	// until then is no sign of trouble.
	firstChunkBlocks = 5000 / blockMS
)

// Config says where the server is.
type Config struct {
	URL     string        // ws:// or wss://
	Timeout time.Duration // 0: DefaultTimeout
	// HTTPClient makes the handshakes; http.DefaultClient when nil. Its
	// Timeout bounds the handshake only.
	HTTPClient *http.Client
}

// Diarizer is the diart provider.
type Diarizer struct{ cfg Config }

// New checks cfg and returns the provider; it connects per stream.
func New(cfg Config) (*Diarizer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("diart: server URL: %w", err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" || u.Host == "" {
		return nil, fmt.Errorf("diart: server URL %q: want ws://host:port or wss://host:port", cfg.URL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Diarizer{cfg: cfg}, nil
}

// Name implements speech.Diarizer.
func (d *Diarizer) Name() string { return "diart" }

// Close implements speech.Diarizer.
func (d *Diarizer) Close() error { return nil }

// NewStream connects to the server. The connection lives until Close.
func (d *Diarizer) NewStream(ctx context.Context, info speech.StreamInfo) (speech.DiarizationStream, error) {
	conn, _, err := websocket.Dial(ctx, d.cfg.URL, &websocket.DialOptions{
		// Diart's server cannot inflate, and a compressed message could go
		// out in several frames.
		CompressionMode: websocket.CompressionDisabled,
		HTTPClient:      d.cfg.HTTPClient,
	})
	if err != nil {
		return nil, fmt.Errorf("diart: connect to %s: %w", d.cfg.URL, err)
	}
	conn.SetReadLimit(1 << 20)
	rctx, cancel := context.WithCancel(context.Background())
	s := &Stream{
		url: d.cfg.URL, timeout: d.cfg.Timeout, conn: conn, cancel: cancel,
		changed: make(chan struct{}), readDone: make(chan struct{}),
	}
	go s.read(rctx)
	return s, nil
}

// Stream is one connection's stream; safe for concurrent use.
type Stream struct {
	url     string
	timeout time.Duration
	conn    *websocket.Conn
	cancel  context.CancelFunc

	writeMu sync.Mutex // one message at a time, in order
	pending []float32  // samples short of a block

	mu       sync.Mutex
	sent     int         // blocks sent
	sentAt   []time.Time // when each block went out
	flushed  bool
	turns    []speech.Turn // merged, by start
	covered  int64         // latest end of any reply, ms
	replied  bool
	readErr  error
	changed  chan struct{} // closed and replaced on every change
	readDone chan struct{}
}

// Push implements speech.DiarizationStream: whole blocks go out at once,
// the rest waits for more samples (or Flush).
func (s *Stream) Push(ctx context.Context, samples []float32) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	flushed := s.flushed
	s.mu.Unlock()
	if flushed {
		return fmt.Errorf("diart: push after the end of the stream")
	}
	s.pending = append(s.pending, samples...)
	n := 0
	for ; n+BlockSamples <= len(s.pending); n += BlockSamples {
		if err := s.send(ctx, s.pending[n:n+BlockSamples]); err != nil {
			return err
		}
	}
	s.pending = append(s.pending[:0], s.pending[n:]...)
	return nil
}

// Flush sends what is left, padded with silence to a whole block, since
// Diart never processes a partial step.
func (s *Stream) Flush(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	done := s.flushed
	s.flushed = true
	s.mu.Unlock()
	if done || len(s.pending) == 0 {
		s.notify()
		return nil
	}
	block := make([]float32, BlockSamples)
	copy(block, s.pending)
	s.pending = s.pending[:0]
	err := s.send(ctx, block)
	s.notify()
	return err
}

// send writes one block as one unfragmented TEXT message.
func (s *Stream) send(ctx context.Context, block []float32) error {
	if err := s.conn.Write(ctx, websocket.MessageText, encode(block)); err != nil {
		return fmt.Errorf("diart: send to %s: %w", s.url, err)
	}
	s.mu.Lock()
	s.sent++
	s.sentAt = append(s.sentAt, time.Now())
	s.mu.Unlock()
	s.notify()
	return nil
}

// encode is Diart's utils.encode_audio: base64 of float32 little endian.
func encode(block []float32) []byte {
	raw := make([]byte, 4*len(block))
	for i, v := range block {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(len(raw)))
	base64.StdEncoding.Encode(out, raw)
	return out
}

// read takes the server's replies until the connection ends.
func (s *Stream) read(ctx context.Context) {
	defer close(s.readDone)
	for {
		typ, msg, err := s.conn.Read(ctx)
		if err != nil {
			s.mu.Lock()
			s.readErr = fmt.Errorf("diart: %s: %w", s.url, err)
			s.mu.Unlock()
			s.notify()
			return
		}
		if typ != websocket.MessageText {
			continue
		}
		segs, err := rttm.ParseString(string(msg))
		s.mu.Lock()
		if err != nil {
			s.readErr = fmt.Errorf("diart: reply from %s: %w", s.url, err)
		} else {
			s.replied = true
			for _, sg := range segs {
				s.add(speech.Turn{
					StartMS: int64(math.Round(sg.Start * 1000)), EndMS: int64(math.Round(sg.End() * 1000)),
					Label: sg.Speaker,
				})
			}
		}
		s.mu.Unlock()
		s.notify()
	}
}

// add merges a piece into the turns; s.mu is held.
func (s *Stream) add(t speech.Turn) {
	s.covered = max(s.covered, t.EndMS)
	for i := len(s.turns) - 1; i >= 0; i-- {
		u := &s.turns[i]
		if u.Label == t.Label && t.StartMS <= u.EndMS+mergeGapMS && t.EndMS >= u.StartMS-mergeGapMS {
			u.StartMS, u.EndMS = min(u.StartMS, t.StartMS), max(u.EndMS, t.EndMS)
			return
		}
		if u.EndMS+mergeGapMS < t.StartMS && u.StartMS < t.StartMS-10*blockMS {
			break // pieces arrive in time order; older turns cannot touch t
		}
	}
	s.turns = append(s.turns, t)
	sort.SliceStable(s.turns, func(i, j int) bool { return s.turns[i].StartMS < s.turns[j].StartMS })
}

func (s *Stream) notify() {
	s.mu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// Turns implements speech.DiarizationStream. It waits until the audio up
// to toMS has been sent and either a reply reaches toMS or Timeout has
// passed since that audio went out (Diart says nothing for silence); then
// it returns what it has. If the server has never replied by Timeout after
// its first 5 s chunk went out, that is an error naming it. Before that
// chunk Diart says nothing: Turns waits while audio keeps coming, and a
// stream that ends or stalls short of it has no turns.
func (s *Stream) Turns(ctx context.Context, fromMS, toMS int64) ([]speech.Turn, error) {
	for {
		s.mu.Lock()
		if s.readErr != nil && !s.replied {
			err := s.readErr
			s.mu.Unlock()
			return nil, err
		}
		sentMS := int64(s.sent) * blockMS
		target := toMS
		if s.flushed {
			target = min(toMS, sentMS)
		}
		var wait <-chan time.Time
		if s.covered >= target || s.readErr != nil {
			out := s.turnsLocked(fromMS, toMS)
			s.mu.Unlock()
			return out, nil
		}
		if !s.replied && s.sent < firstChunkBlocks && s.sent > 0 {
			// Diart says nothing before its first chunk, whose reply
			// covers it all: wait for that while audio still comes. A
			// stream that ends short of the chunk, or whose audio stalls
			// (a full recognition queue blocks the writer), has no turns
			// but has not failed.
			left := time.Until(s.sentAt[s.sent-1].Add(s.timeout))
			if s.flushed || left <= 0 {
				s.mu.Unlock()
				return nil, nil
			}
			wait = time.After(left)
		} else if sentMS >= target {
			blk := max(int((target+blockMS-1)/blockMS)-1, 0)
			if !s.replied {
				// The first reply covers the first chunk: wait for it
				// from when that chunk went out.
				blk = max(blk, min(firstChunkBlocks, s.sent)-1)
			}
			left := time.Until(s.sentAt[blk].Add(s.timeout))
			if left <= 0 {
				replied := s.replied
				out := s.turnsLocked(fromMS, toMS)
				s.mu.Unlock()
				if !replied {
					return nil, fmt.Errorf("diart: no reply from %s within %v of sending %d ms of audio", s.url, s.timeout, sentMS)
				}
				return out, nil
			}
			wait = time.After(left)
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (s *Stream) turnsLocked(fromMS, toMS int64) []speech.Turn {
	var out []speech.Turn
	for _, t := range s.turns {
		if t.EndMS > fromMS && t.StartMS < toMS {
			out = append(out, t)
		}
	}
	return out
}

// Close flushes nothing (call Flush first to have the tail diarized) and
// closes the connection.
func (s *Stream) Close() error {
	s.mu.Lock()
	s.flushed = true
	s.mu.Unlock()
	err := s.conn.Close(websocket.StatusNormalClosure, "")
	s.cancel()
	<-s.readDone
	s.notify()
	if err != nil && !errors.Is(err, context.Canceled) {
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return nil
		}
		return fmt.Errorf("diart: close %s: %w", s.url, err)
	}
	return nil
}
