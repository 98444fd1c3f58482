// Package builtin is a diarizer for one shared microphone, in Go and
// without model files. It works on a stream:
//
//  1. 25 ms frames every 10 ms give a log energy, 19 MFCCs (c1…c19 of 40
//     mel bands) and, for periodic frames, the pitch (normalised
//     autocorrelation).
//  2. Speech is told from silence by energy against an adaptive noise floor
//     and the recent speech peak; pauses under 0.3 s stay inside a turn,
//     longer ones end a segment.
//  3. Inside speech, a change of speaker is looked for every 0.1 s by
//     comparing the second before with the second after as diagonal
//     Gaussians with the Bayesian information criterion (ΔBIC > 0 at its
//     peak = change).
//  4. Each segment's statistics (MFCC means and spreads, pitch) are its
//     speaker embedding, and segments are clustered online: a segment joins
//     the speaker whose accumulated statistics are closest (voiceDist, an
//     effect size: mean difference over spread) when within ClusterDist,
//     and otherwise, if it is long enough, opens a new speaker; the
//     speaker's statistics then absorb it. Labels ("speaker1", "speaker2",
//     …) never change once given.
//
// Turns can answer for a moment once the look-ahead past it has been heard:
// at a pause, 0.3 s; inside speech, the 1 s change window; at the start of
// a turn, until the turn has 2 s of speech or ends. Close (or Flush) ends
// the stream and makes every turn final.
package builtin

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/gmc-project/gmc/internal/speech"
)

// Diarizer is the builtin diarization provider.
type Diarizer struct{ p Params }

// New returns a diarizer with params (DefaultParams for the defaults).
func New(p Params) *Diarizer { return &Diarizer{p: p} }

// Name implements speech.Diarizer.
func (d *Diarizer) Name() string { return "builtin" }

// NewStream implements speech.Diarizer; info is not used, a track being
// the "tracks" provider's business.
func (d *Diarizer) NewStream(ctx context.Context, info speech.StreamInfo) (speech.DiarizationStream, error) {
	return d.Stream(), nil
}

// Stream returns a new stream with its Flush method in reach.
func (d *Diarizer) Stream() *Stream {
	return &Stream{e: newEngine(d.p), changed: make(chan struct{})}
}

// Close implements speech.Diarizer.
func (d *Diarizer) Close() error { return nil }

// Stream diarizes one stream; it is safe for concurrent use, so one
// goroutine may Push while another waits in Turns.
type Stream struct {
	mu      sync.Mutex
	e       *engine
	changed chan struct{} // closed and replaced whenever decisions move on
}

// Push implements speech.DiarizationStream. The analysis runs in the
// caller's goroutine.
func (s *Stream) Push(ctx context.Context, samples []float32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.e.flushed {
		return fmt.Errorf("builtin diarizer: push after the end of the stream")
	}
	s.e.push(samples)
	s.notify()
	return nil
}

// Flush says that no more audio comes: every turn becomes final, and Turns
// answers for any time. It never fails.
func (s *Stream) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.e.flushed {
		s.e.flush()
		s.notify()
	}
	return nil
}

func (s *Stream) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Turns implements speech.DiarizationStream.
func (s *Stream) Turns(ctx context.Context, fromMS, toMS int64) ([]speech.Turn, error) {
	for {
		s.mu.Lock()
		if s.e.flushed || s.e.decidedMS() >= toMS {
			out := s.turnsLocked(fromMS, toMS)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (s *Stream) turnsLocked(fromMS, toMS int64) []speech.Turn {
	e := s.e
	// Turns are in time order; skip those that end before fromMS.
	i := sort.Search(len(e.turns), func(i int) bool { return frameMS(e.turns[i].end) > fromMS })
	var out []speech.Turn
	for _, t := range e.turns[i:] {
		if frameMS(t.start) >= toMS {
			break
		}
		out = append(out, speech.Turn{StartMS: frameMS(t.start), EndMS: frameMS(t.end), Label: label(t.label)})
	}
	if seg := e.seg; seg != nil && seg.label >= 0 {
		start, end := frameMS(seg.start), min(frameMS(seg.end), e.decidedMS())
		if end > start && end > fromMS && start < toMS {
			out = append(out, speech.Turn{StartMS: start, EndMS: end, Label: label(seg.label)})
		}
	}
	return out
}

// Close implements speech.DiarizationStream; it flushes.
func (s *Stream) Close() error {
	return s.Flush(context.Background())
}

// frameMS is the stream time of frame i: its window starts at 10·i ms and
// the energy that made it speech sits around its middle, 12.5 ms in.
func frameMS(i int) int64 { return int64(i)*10 + 8 }

func label(i int) string { return fmt.Sprintf("speaker%d", i+1) }

// Diarize runs samples (SampleRate mono) through one stream and returns
// every turn: the offline path, identical to streaming.
func (d *Diarizer) Diarize(samples []float32) []speech.Turn {
	s := d.Stream()
	s.e.push(samples)
	s.e.flush()
	return s.turnsLocked(0, frameMS(s.e.nFrames)+1000)
}
