// Package pipeline runs one audio stream through the speech stages: it
// cuts the stream into utterances, recognises each, asks the diarizer who
// spoke when, and hands the merged speaker segments on, in stream order.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/vad"
	"github.com/gmc-project/gmc/internal/tracing"
)

// Utterance is a stretch of speech between pauses, in stream time.
type Utterance = vad.Utterance

// Segmenter cuts a stream of speech.SampleRate mono samples into
// utterances: a *vad.Detector.
type Segmenter interface {
	// Write adds samples and returns the utterances they completed.
	Write(samples []float32) []Utterance
	// Flush ends the stream and returns the utterance it was inside, if any.
	Flush() []Utterance
}

// Result is what one utterance became.
type Result struct {
	Utterance Utterance
	// Transcript has word times in stream time.
	Transcript *speech.Transcript
	Segments   []speech.Segment
}

// Config sets up a Stream.
type Config struct {
	Recognizer speech.Recognizer
	// Diarization tells who spoke; nil gives every word to Fallback.
	Diarization speech.DiarizationStream
	Segmenter   Segmenter
	Hints       speech.Hints
	// Fallback is the speaker label when the diarizer has no turn at all.
	Fallback string
	// Emit receives each utterance's result in stream order, from one
	// goroutine. An error from it ends the stream.
	Emit func(ctx context.Context, r Result) error
	// Queue is how many utterances may wait for recognition before Write
	// blocks (default 4): a stream read faster than it can be recognised
	// is slowed down, never dropped.
	Queue int
	// Metrics records recognition's real-time factor and diarization's
	// latency, under the recogniser's name and DiarizerName; nil records
	// nothing.
	Metrics      *metrics.Metrics
	DiarizerName string
}

// Stream is one audio stream in the pipeline. Write and Close are called
// from one goroutine.
type Stream struct {
	cfg   Config
	queue chan Utterance
	done  chan struct{}
	stop  context.CancelFunc

	mu      sync.Mutex
	err     error
	pending int64   // ms of audio queued or being recognised
	heard   int64   // ms of audio written
	ends    []int64 // end (stream ms) of each utterance queued or being recognised, oldest first
}

// flusher is a diarization stream that holds back its answers until it
// knows what follows (diarize.Flusher).
type flusher interface {
	Flush(ctx context.Context) error
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("pipeline: stream closed")

// Start starts a stream; its work runs until Close or until ctx ends.
func Start(ctx context.Context, cfg Config) (*Stream, error) {
	if cfg.Recognizer == nil {
		return nil, errors.New("pipeline: no speech recogniser")
	}
	if cfg.Segmenter == nil || cfg.Emit == nil {
		return nil, errors.New("pipeline: a segmenter and an emit function are required")
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4
	}
	ctx, stop := context.WithCancel(ctx)
	s := &Stream{cfg: cfg, queue: make(chan Utterance, cfg.Queue), done: make(chan struct{}), stop: stop}
	go s.run(ctx)
	return s, nil
}

// Write adds speech.SampleRate mono samples that follow those written
// before. It blocks while the recognition queue is full.
func (s *Stream) Write(ctx context.Context, samples []float32) error {
	if err := s.Err(); err != nil {
		return err
	}
	if s.cfg.Diarization != nil {
		if err := s.cfg.Diarization.Push(ctx, samples); err != nil {
			return s.fail(fmt.Errorf("diarization: %w", err))
		}
	}
	s.mu.Lock()
	s.heard += int64(len(samples)) * 1000 / speech.SampleRate
	s.mu.Unlock()
	return s.enqueue(ctx, s.cfg.Segmenter.Write(samples))
}

func (s *Stream) enqueue(ctx context.Context, us []Utterance) (err error) {
	for _, u := range us {
		s.mu.Lock()
		s.pending += u.EndMS - u.StartMS
		s.ends = append(s.ends, u.EndMS)
		s.mu.Unlock()
		select {
		case s.queue <- u:
			continue
		case <-s.done:
			err = s.Err()
		case <-ctx.Done():
			err = ctx.Err()
		}
		s.mu.Lock()
		s.pending -= u.EndMS - u.StartMS
		s.ends = s.ends[:len(s.ends)-1]
		s.mu.Unlock()
		return err
	}
	return nil
}

// Pending is how many milliseconds of speech wait for, or are in,
// recognition.
func (s *Stream) Pending() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// Lag is how far recognition trails the stream, in milliseconds of
// audio: how much has been written since the oldest utterance that is
// still waiting for, or in, recognition ended; 0 when none is. Unlike
// Pending it does not count a long utterance that a fast recogniser is
// about to finish as being behind.
func (s *Stream) Lag() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ends) == 0 {
		return 0
	}
	return max(0, s.heard-s.ends[0])
}

// Err is the error that ended the stream, if any.
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *Stream) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
		s.stop()
	}
	return s.err
}

// Close flushes the utterance in progress, waits until every queued
// utterance is emitted (or ctx ends) and closes the diarization stream.
func (s *Stream) Close(ctx context.Context) error {
	err := s.enqueue(ctx, s.cfg.Segmenter.Flush())
	// A diarizer that looks ahead before it answers is told that nothing
	// more comes, or the last utterance would wait for it forever.
	if f, ok := s.cfg.Diarization.(flusher); ok {
		if ferr := f.Flush(ctx); ferr != nil {
			err = errors.Join(err, fmt.Errorf("diarization: %w", ferr))
		}
	}
	close(s.queue)
	select {
	case <-s.done:
	case <-ctx.Done():
		s.stop()
		<-s.done
		err = errors.Join(err, ctx.Err())
	}
	s.stop()
	if s.cfg.Diarization != nil {
		err = errors.Join(err, s.cfg.Diarization.Close())
	}
	if e := s.Err(); e != nil && !errors.Is(e, ErrClosed) {
		err = errors.Join(err, e)
	}
	s.fail(ErrClosed)
	return err
}

func (s *Stream) run(ctx context.Context) {
	defer close(s.done)
	for u := range s.queue {
		if s.Err() != nil {
			continue // drain so that a blocked Write returns
		}
		r, err := s.process(ctx, u)
		if err == nil {
			err = s.cfg.Emit(ctx, r)
		}
		s.mu.Lock()
		s.pending -= u.EndMS - u.StartMS
		s.ends = s.ends[1:]
		s.mu.Unlock()
		if err != nil {
			s.fail(err)
		}
	}
}

func (s *Stream) process(ctx context.Context, u Utterance) (Result, error) {
	stt := s.cfg.Recognizer.Name()
	audio := time.Duration(len(u.Samples)) * time.Second / speech.SampleRate
	sctx, span := tracing.Start(ctx, "stt.recognize", attribute.String("stt.provider", stt), attribute.Float64("stt.audio_seconds", audio.Seconds()))
	start := time.Now()
	tr, err := s.cfg.Recognizer.Recognize(sctx, u.Samples, s.cfg.Hints)
	tracing.End(span, err)
	if err != nil {
		return Result{}, fmt.Errorf("speech recognition (%s): %w", stt, err)
	}
	s.cfg.Metrics.Recognized(stt, audio, time.Since(start))
	words := make([]speech.Word, len(tr.Words))
	for i, w := range tr.Words {
		w.StartMS += u.StartMS
		w.EndMS += u.StartMS
		words[i] = w
	}
	r := Result{Utterance: u, Transcript: &speech.Transcript{Words: words, Alternatives: tr.Alternatives}}
	if len(words) == 0 {
		return r, nil
	}
	var turns []speech.Turn
	if s.cfg.Diarization != nil {
		// Ask about the words' span, not the utterance's: the pre-roll
		// around speech holds no one's words.
		dctx, span := tracing.Start(ctx, "diarization.turns", attribute.String("diarization.provider", s.cfg.DiarizerName))
		start := time.Now()
		turns, err = s.cfg.Diarization.Turns(dctx, words[0].StartMS, words[len(words)-1].EndMS)
		tracing.End(span, err)
		s.cfg.Metrics.Diarized(s.cfg.DiarizerName, time.Since(start))
		if err != nil {
			return Result{}, fmt.Errorf("diarization: %w", err)
		}
	}
	r.Segments = speech.Merge(words, turns, s.cfg.Fallback)
	for i := range r.Segments {
		r.Segments[i].Alternatives = tr.Alternatives
	}
	return r, nil
}
