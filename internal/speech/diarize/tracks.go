package diarize

import (
	"context"
	"fmt"
	"sync"

	"github.com/gmc-project/gmc/internal/speech"
)

// Tracks returns the "tracks" provider: every stream is one speaker's own
// track (a Discord user, a Craig file), so the track is the speaker.
func Tracks() speech.Diarizer { return tracks{} }

type tracks struct{}

func (tracks) Name() string { return "tracks" }

// NewStream needs info.Track: a stream without one is a shared microphone,
// which this provider cannot tell apart.
func (tracks) NewStream(ctx context.Context, info speech.StreamInfo) (speech.DiarizationStream, error) {
	if info.Track == "" {
		return nil, fmt.Errorf("diarize: tracks: the stream has no track name (StreamInfo.Track)")
	}
	return &trackStream{label: info.Track}, nil
}

func (tracks) Close() error { return nil }

// trackStream answers every range with one turn of its track's speaker;
// it needs no audio to know who speaks, so it never waits.
type trackStream struct {
	label  string
	mu     sync.Mutex
	closed bool
}

func (s *trackStream) Push(ctx context.Context, samples []float32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("diarize: tracks: push on a closed stream")
	}
	return nil
}

func (s *trackStream) Turns(ctx context.Context, fromMS, toMS int64) ([]speech.Turn, error) {
	if toMS <= fromMS {
		return nil, nil
	}
	return []speech.Turn{{StartMS: fromMS, EndMS: toMS, Label: s.label}}, nil
}

func (s *trackStream) Flush(ctx context.Context) error { return nil }

func (s *trackStream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
