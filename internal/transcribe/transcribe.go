// Package transcribe runs a game session's audio through the speech
// pipeline with the providers this server was configured with: a live
// socket's stream as it arrives, a recording as fast as recognition goes.
// It decides nothing about who may send audio (package service does) and
// stores nothing itself: each utterance's segments go to the caller's
// Emit.
package transcribe

import (
	"context"
	"errors"
	"fmt"

	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/pipeline"
)

// Config is what an Engine runs on.
type Config struct {
	// Recognizer is the speech-to-text provider; nil means speech is off,
	// for the reason Off gives.
	Recognizer speech.Recognizer
	Off        string
	// Diarizer tells the speakers of a shared microphone apart; Tracks
	// labels a one-person track. Either may be nil: its streams then give
	// every word to the stream's fallback label.
	Diarizer speech.Diarizer
	Tracks   speech.Diarizer
	// NewSegmenter makes the voice activity detector of one stream.
	NewSegmenter func() pipeline.Segmenter
	// Language is the hint given to the recogniser ("en").
	Language string
	// Metrics records the speed of recognition and diarization; nil
	// records nothing.
	Metrics *metrics.Metrics
}

// Engine starts speech streams.
type Engine struct{ cfg Config }

// ErrOff is returned when no recogniser is configured.
var ErrOff = errors.New("speech-to-text is off")

// New builds an Engine.
func New(cfg Config) (*Engine, error) {
	if cfg.NewSegmenter == nil {
		return nil, errors.New("transcribe: NewSegmenter is required")
	}
	return &Engine{cfg: cfg}, nil
}

// Ready is nil when speech can be transcribed, else an error (wrapping
// ErrOff) that says why not.
func (e *Engine) Ready() error {
	if e == nil || e.cfg.Recognizer == nil {
		reason := "no recogniser is configured"
		if e != nil && e.cfg.Off != "" {
			reason = e.cfg.Off
		}
		return fmt.Errorf("%w: %s", ErrOff, reason)
	}
	return nil
}

// Providers names the recogniser and the shared-microphone diarizer, for
// logs, /readyz and the Source of stored segments.
func (e *Engine) Providers() (stt, diarization string) {
	stt, diarization = "off", "none"
	if e == nil {
		return
	}
	if e.cfg.Recognizer != nil {
		stt = e.cfg.Recognizer.Name()
	}
	if e.cfg.Diarizer != nil {
		diarization = e.cfg.Diarizer.Name()
	}
	return
}

// Options describe one stream.
type Options struct {
	// Track is the speaker label of a one-person track; empty for a
	// shared microphone.
	Track string
	// Names are the campaign's proper names, for the recogniser.
	Names []string
	// Emit receives each utterance's result, in stream order.
	Emit func(ctx context.Context, r pipeline.Result) error
	// Queue is how many utterances may wait for recognition before
	// Write blocks (pipeline.Config.Queue).
	Queue int
}

// UtteranceMS is how long an utterance sent to speech recognition is, in
// milliseconds of audio: what a campaign's audio budget counts.
func UtteranceMS(u pipeline.Utterance) int64 {
	return int64(len(u.Samples)) * 1000 / speech.SampleRate
}

// Source is what stored segments of a stream say made them:
// "<stt>/<diarization>" ("pocketsphinx/builtin", "whisper/tracks").
func (e *Engine) Source(o Options) string {
	stt, dia := e.Providers()
	if o.Track != "" {
		dia = "tracks"
	}
	return stt + "/" + dia
}

// Start starts a stream of speech.SampleRate mono audio.
func (e *Engine) Start(ctx context.Context, o Options) (*pipeline.Stream, error) {
	if err := e.Ready(); err != nil {
		return nil, err
	}
	dia, fallback := e.cfg.Diarizer, "speaker"
	if o.Track != "" {
		dia, fallback = e.cfg.Tracks, o.Track
	}
	var ds speech.DiarizationStream
	diaName := ""
	if dia != nil {
		diaName = dia.Name()
		var err error
		if ds, err = dia.NewStream(ctx, speech.StreamInfo{Track: o.Track}); err != nil {
			return nil, fmt.Errorf("diarization (%s): %w", dia.Name(), err)
		}
	}
	return pipeline.Start(ctx, pipeline.Config{
		Recognizer:   e.cfg.Recognizer,
		Diarization:  ds,
		Segmenter:    e.cfg.NewSegmenter(),
		Hints:        speech.Hints{Language: e.cfg.Language, Names: o.Names},
		Fallback:     fallback,
		Emit:         o.Emit,
		Queue:        o.Queue,
		Metrics:      e.cfg.Metrics,
		DiarizerName: diaName,
	})
}

// Run transcribes a whole recording's speech.SampleRate mono samples as
// fast as recognition goes, calling progress with the share of the audio
// recognised so far (0..1) after each utterance.
func (e *Engine) Run(ctx context.Context, samples []float32, o Options, progress func(done float64)) error {
	total := float64(len(samples)) * 1000 / speech.SampleRate
	emit := o.Emit
	o.Emit = func(ctx context.Context, r pipeline.Result) error {
		if err := emit(ctx, r); err != nil {
			return err
		}
		if progress != nil && total > 0 {
			progress(min(float64(r.Utterance.EndMS)/total, 1))
		}
		return nil
	}
	s, err := e.Start(ctx, o)
	if err != nil {
		return err
	}
	// Chunks of a second keep the diarizer's and the detector's work
	// even, as a live socket's would.
	const chunk = speech.SampleRate
	for i := 0; i < len(samples); i += chunk {
		if err := s.Write(ctx, samples[i:min(i+chunk, len(samples))]); err != nil {
			return errors.Join(err, s.Close(ctx))
		}
	}
	if err := s.Close(ctx); err != nil {
		return err
	}
	if progress != nil {
		progress(1)
	}
	return nil
}
