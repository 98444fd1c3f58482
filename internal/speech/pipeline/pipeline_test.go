package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/speech"
)

// chunker is a segmenter that cuts every n samples: enough to drive the
// pipeline's ordering and offsets without voice detection.
type chunker struct {
	n     int
	buf   []float32
	start int64
}

func (c *chunker) Write(samples []float32) []Utterance {
	c.buf = append(c.buf, samples...)
	var out []Utterance
	for len(c.buf) >= c.n {
		out = append(out, c.cut(c.n))
	}
	return out
}

func (c *chunker) Flush() []Utterance {
	if len(c.buf) == 0 {
		return nil
	}
	return []Utterance{c.cut(len(c.buf))}
}

func (c *chunker) cut(n int) Utterance {
	ms := int64(n) * 1000 / speech.SampleRate
	u := Utterance{StartMS: c.start, EndMS: c.start + ms, Samples: append([]float32(nil), c.buf[:n]...)}
	c.buf, c.start = c.buf[n:], c.start+ms
	return u
}

// levelReader "recognises" one word per utterance, named after the
// utterance's first sample, 100 ms in and 200 ms long.
type levelReader struct {
	mu    sync.Mutex
	calls int
	fail  error
	block chan struct{}
}

func (r *levelReader) Name() string { return "level" }
func (r *levelReader) Close() error { return nil }
func (r *levelReader) Recognize(ctx context.Context, samples []float32, h speech.Hints) (*speech.Transcript, error) {
	r.mu.Lock()
	r.calls++
	fail, block := r.fail, r.block
	r.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if fail != nil {
		return nil, fail
	}
	return &speech.Transcript{
		Words:        []speech.Word{{Text: fmt.Sprintf("w%.0f", samples[0]*10), StartMS: 100, EndMS: 300}},
		Alternatives: []string{"alt"},
	}, nil
}

// fixedTurns says A speaks in even seconds and B in odd ones.
type fixedTurns struct{ closed bool }

func (f *fixedTurns) Push(context.Context, []float32) error { return nil }
func (f *fixedTurns) Close() error                          { f.closed = true; return nil }
func (f *fixedTurns) Turns(_ context.Context, from, to int64) ([]speech.Turn, error) {
	var out []speech.Turn
	for s := from / 1000 * 1000; s < to; s += 1000 {
		label := "A"
		if s/1000%2 == 1 {
			label = "B"
		}
		out = append(out, speech.Turn{StartMS: s, EndMS: s + 1000, Label: label})
	}
	return out, nil
}

func second(level float32) []float32 {
	s := make([]float32, speech.SampleRate)
	for i := range s {
		s[i] = level
	}
	return s
}

func TestStreamEmitsInOrderWithStreamTimes(t *testing.T) {
	var got []string
	turns := &fixedTurns{}
	s, err := Start(t.Context(), Config{
		Recognizer: &levelReader{}, Diarization: turns, Segmenter: &chunker{n: speech.SampleRate},
		Fallback: "mic",
		Emit: func(_ context.Context, r Result) error {
			for _, seg := range r.Segments {
				got = append(got, fmt.Sprintf("%s@%d-%d:%s/%v", seg.Label, seg.StartMS, seg.EndMS, seg.Text(), seg.Alternatives))
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.Write(t.Context(), second(float32(i+1)/10)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := "A@100-300:w1/[alt] B@1100-1300:w2/[alt] A@2100-2300:w3/[alt]"
	if strings.Join(got, " ") != want {
		t.Errorf("segments:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if !turns.closed {
		t.Error("Close did not close the diarization stream")
	}
	if err := s.Write(t.Context(), second(0)); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
}

func TestStreamBlocksWhenRecognitionFallsBehind(t *testing.T) {
	rec := &levelReader{block: make(chan struct{})}
	s, err := Start(t.Context(), Config{
		Recognizer: rec, Segmenter: &chunker{n: speech.SampleRate / 10}, Queue: 2,
		Emit: func(context.Context, Result) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	// One utterance in recognition and two queued fill the pipeline; the
	// fourth must wait.
	for range 3 {
		if err := s.Write(t.Context(), second(0.1)[:speech.SampleRate/10]); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err = s.Write(ctx, second(0.1)[:speech.SampleRate/10])
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("fourth Write = %v, want it to block until its context ends", err)
	}
	if p := s.Pending(); p < 300 {
		t.Errorf("Pending() = %d ms, want at least the 300 ms queued", p)
	}
	// The first utterance (0–100 ms) is in recognition and 400 ms were
	// written: recognition trails by the 300 ms after it.
	if l := s.Lag(); l != 300 {
		t.Errorf("Lag() = %d ms, want 300", l)
	}
	close(rec.block)
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p, l := s.Pending(), s.Lag(); p != 0 || l != 0 {
		t.Errorf("Pending(), Lag() after Close = %d, %d", p, l)
	}
}

func TestStreamStopsOnRecognitionError(t *testing.T) {
	boom := errors.New("server said no")
	s, err := Start(t.Context(), Config{
		Recognizer: &levelReader{fail: boom}, Segmenter: &chunker{n: speech.SampleRate / 10},
		Emit: func(context.Context, Result) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), second(0.5)); err != nil && !errors.Is(err, boom) {
		t.Fatal(err)
	}
	err = s.Close(t.Context())
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "speech recognition (level)") {
		t.Errorf("Close = %v, want the recogniser's error named", err)
	}
}

func TestStartNeedsItsParts(t *testing.T) {
	if _, err := Start(t.Context(), Config{Segmenter: &chunker{n: 1}, Emit: func(context.Context, Result) error { return nil }}); err == nil {
		t.Error("Start without a recogniser succeeded")
	}
	if _, err := Start(t.Context(), Config{Recognizer: &levelReader{}}); err == nil {
		t.Error("Start without a segmenter succeeded")
	}
}

// lookahead answers Turns only once it has been flushed, like a diarizer
// that waits for audio after the range it is asked about.
type lookahead struct {
	fixedTurns
	flushed chan struct{}
}

func (l *lookahead) Flush(context.Context) error { close(l.flushed); return nil }
func (l *lookahead) Turns(ctx context.Context, from, to int64) ([]speech.Turn, error) {
	select {
	case <-l.flushed:
		return l.fixedTurns.Turns(ctx, from, to)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestCloseFlushesALookaheadDiarizer(t *testing.T) {
	var got int
	s, err := Start(t.Context(), Config{
		Recognizer: &levelReader{}, Diarization: &lookahead{flushed: make(chan struct{})},
		Segmenter: &chunker{n: speech.SampleRate},
		Emit:      func(_ context.Context, r Result) error { got += len(r.Segments); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), second(0.3)[:speech.SampleRate/2]); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close = %v; the last utterance waited for a diarizer that was never flushed", err)
	}
	if got != 1 {
		t.Errorf("emitted %d segments, want 1", got)
	}
}
