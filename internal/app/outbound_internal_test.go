package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/speech"
)

// TestOperatorServicesStayOnTheirHost: the speech recogniser, Diart, the
// language model and the embeddings server are each reached at their
// configured host only. Each is a loopback server here that redirects
// every request to another loopback port; the client refuses, and the
// other server never hears from it. The same server configured directly
// is reached, so the refusal is the redirect's, not the address's.
func TestOperatorServicesStayOnTheirHost(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		http.Error(w, "should not be reached", http.StatusTeapot)
	}))
	t.Cleanup(other.Close)
	var asked atomic.Int64
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	log := slog.New(slog.DiscardHandler)
	ws := func(u string) string { return "ws" + strings.TrimPrefix(u, "http") }

	whisper := func(base string) func(context.Context) error {
		return func(ctx context.Context) error {
			rec, _, err := openRecognizer(config.Config{STT: "whisper", WhisperURL: base}, log)
			if err != nil {
				return err
			}
			_, err = rec.Recognize(ctx, make([]float32, speech.SampleRate/10), speech.Hints{})
			return err
		}
	}
	diart := func(base string) func(context.Context) error {
		return func(ctx context.Context) error {
			dia, err := openDiarizer(config.Config{Diarization: "diart", DiartURL: ws(base)})
			if err != nil {
				return err
			}
			s, err := dia.NewStream(ctx, speech.StreamInfo{})
			if err == nil {
				s.Close()
			}
			return err
		}
	}
	model := func(base string) func(context.Context) error {
		return func(ctx context.Context) error {
			c, err := OpenLLM(config.Config{LLMBaseURL: base + "/v1", LLMModel: "m"}, nil, nil)
			if err != nil {
				return err
			}
			_, err = c.Models(ctx)
			return err
		}
	}
	embeddings := func(base string) func(context.Context) error {
		return func(ctx context.Context) error {
			c, err := OpenEmbeddings(config.Config{EmbeddingsBaseURL: base + "/v1", EmbeddingsModel: "e"}, nil)
			if err != nil {
				return err
			}
			_, err = c.Embed(ctx, "", []string{"the tavern"})
			return err
		}
	}
	for _, tc := range []struct {
		name string
		call func(base string) func(context.Context) error
	}{
		{"whisper", whisper}, {"diart", diart}, {"llm", model}, {"embeddings", embeddings},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			before, reached := elsewhere.Load(), asked.Load()
			if err := tc.call(redirector.URL)(ctx); err == nil {
				t.Errorf("%s followed a redirect to another port", tc.name)
			}
			if asked.Load() == reached {
				t.Errorf("%s never asked its configured server", tc.name)
			}
			if n := elsewhere.Load() - before; n != 0 {
				t.Errorf("the other loopback server got %d requests from %s", n, tc.name)
			}
			// Configured directly, the other server is reachable: the
			// policy refused the redirect, not loopback.
			if err := tc.call(other.URL)(ctx); err == nil {
				t.Errorf("%s: the teapot's 418 went unnoticed", tc.name)
			}
			if elsewhere.Load() == before {
				t.Errorf("%s configured at the other server did not reach it", tc.name)
			}
		})
	}
}
