// Package speech turns table audio into diarized transcript segments:
// decoded and resampled audio (package audio) is cut into utterances
// (package vad), recognised by a speech-to-text provider (package stt),
// told apart by a diarization provider (package diarize), and merged here
// into segments that the live pipeline stores and broadcasts.
//
// This package holds the types the stages share and the merge; it imports
// none of the providers, so each can be chosen at start by internal/app.
package speech

import "context"

// SampleRate is the rate, in samples per second, of the mono float32 audio
// that every stage after decoding works on.
const SampleRate = 16000

// Word is one recognised word. Times are milliseconds from the start of
// the audio handed to the recogniser.
type Word struct {
	Text    string
	StartMS int64
	EndMS   int64
	// Confidence is in [0, 1]; 0 when the recogniser gives none.
	Confidence float64
}

// Transcript is what a recogniser heard in one utterance.
type Transcript struct {
	// Words in time order; their texts joined by spaces are the best guess.
	Words []Word
	// Alternatives are other whole-utterance readings the recogniser
	// considered (n-best), best first, without the best guess itself.
	Alternatives []string
}

// Text is the best guess as one string.
func (t *Transcript) Text() string {
	n := 0
	for _, w := range t.Words {
		n += len(w.Text) + 1
	}
	b := make([]byte, 0, n)
	for i, w := range t.Words {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, w.Text...)
	}
	return string(b)
}

// Hints help a recogniser with what this table is likely to say.
type Hints struct {
	// Language is an ISO 639-1 code such as "en"; empty means the provider's default.
	Language string
	// Names are the campaign's proper names (characters, places, factions)
	// as written, so that "Xylandra" can come out as written.
	Names []string
}

// Recognizer is a speech-to-text provider.
type Recognizer interface {
	// Name is the provider's name as GMC_STT spells it ("pocketsphinx", "whisper").
	Name() string
	// Recognize transcribes one utterance of SampleRate mono samples in
	// [-1, 1]. Word times are relative to the first sample. It is safe
	// for concurrent use.
	Recognize(ctx context.Context, samples []float32, hints Hints) (*Transcript, error)
	Close() error
}

// Turn says that Label speaks from StartMS to EndMS (stream time).
type Turn struct {
	StartMS int64
	EndMS   int64
	Label   string
}

// StreamInfo describes one audio stream handed to a diarizer.
type StreamInfo struct {
	// Track names the speaker when the stream is one person's own track
	// (Discord, Craig); empty for a shared microphone.
	Track string
}

// Diarizer is a diarization provider: it tells who speaks when.
type Diarizer interface {
	// Name is the provider's name as GMC_DIARIZATION spells it ("tracks", "builtin", "diart").
	Name() string
	// NewStream starts diarizing one audio stream.
	NewStream(ctx context.Context, info StreamInfo) (DiarizationStream, error)
	Close() error
}

// DiarizationStream diarizes one continuous audio stream. Stream time
// starts at 0 with the first sample pushed.
type DiarizationStream interface {
	// Push adds SampleRate mono samples that follow those pushed before.
	Push(ctx context.Context, samples []float32) error
	// Turns returns the turns that overlap [fromMS, toMS), waiting until the
	// diarizer has heard up to toMS or ctx ends. Labels stay stable for the
	// stream's life.
	Turns(ctx context.Context, fromMS, toMS int64) ([]Turn, error)
	Close() error
}
