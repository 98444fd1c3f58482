// Package diarize holds the diarization providers (who speaks when) behind
// speech.Diarizer and chooses one by name:
//
//   - "tracks": each stream is one person's own track, so the speaker is the
//     track (StreamInfo.Track). Exact, no model.
//   - "builtin": package builtin, a Go diarizer for one shared microphone.
//   - "diart": package diart, a client of Diart's streaming WebSocket server.
//   - "auto": diart when a Diart URL is configured, else builtin.
//
// Whatever the choice, a stream that declares a Track is one person's own
// audio: the caller (the live pipeline) should then use Tracks() for it,
// since nothing is gained by diarizing a single voice. New("auto") returns
// the provider for shared microphones only.
package diarize

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/diarize/builtin"
	"github.com/gmc-project/gmc/internal/speech/diarize/diart"
)

// Config holds what the providers need.
type Config struct {
	// DiartURL is the Diart server, e.g. ws://127.0.0.1:7007 ("diart";
	// "auto" uses Diart when it is set).
	DiartURL string
	// DiartTimeout bounds how long Turns waits for Diart to cover the
	// requested time; 0 means diart.DefaultTimeout.
	DiartTimeout time.Duration
	// DiartClient makes the WebSocket handshakes (one that reaches only
	// the server, see outbound.Client); http.DefaultClient when nil.
	DiartClient *http.Client
	// Builtin are the builtin diarizer's settings; the zero value means
	// builtin.DefaultParams().
	Builtin builtin.Params
}

// New returns the provider called name.
func New(name string, cfg Config) (speech.Diarizer, error) {
	switch name {
	case "auto":
		if cfg.DiartURL != "" {
			return New("diart", cfg)
		}
		return New("builtin", cfg)
	case "tracks":
		return Tracks(), nil
	case "builtin":
		p := cfg.Builtin
		if p == (builtin.Params{}) {
			p = builtin.DefaultParams()
		}
		return builtin.New(p), nil
	case "diart":
		if cfg.DiartURL == "" {
			return nil, fmt.Errorf("diarize: diart needs a server URL")
		}
		d, err := diart.New(diart.Config{URL: cfg.DiartURL, Timeout: cfg.DiartTimeout, HTTPClient: cfg.DiartClient})
		if err != nil {
			return nil, err
		}
		return d, nil
	}
	return nil, fmt.Errorf("diarize: unknown provider %q (want one of auto, tracks, builtin, diart)", name)
}

// Flusher is implemented by streams that hold back audio or decisions
// until they know what follows. Flush says no more audio comes, so that
// Turns can answer up to the end; a stream that is closed is flushed too.
type Flusher interface {
	Flush(ctx context.Context) error
}
