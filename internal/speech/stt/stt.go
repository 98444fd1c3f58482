// Package stt chooses the speech-to-text provider: "whisper" (a client of
// an OpenAI-compatible transcription server, package whisper),
// "pocketsphinx" (offline, package pocketsphinx), "off", or "auto", which
// takes whisper when a server is configured, else PocketSphinx when it is
// installed, else off with the reason.
//
// internal/app calls New once at start, logs Describe's line, and shows
// an Off recogniser's reason in /readyz.
package stt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/stt/pocketsphinx"
	"github.com/gmc-project/gmc/internal/speech/stt/whisper"
)

// Provider names, as GMC_STT spells them.
const (
	Auto         = "auto"
	Off          = "off"
	PocketSphinx = "pocketsphinx"
	Whisper      = "whisper"
)

// Config is what New needs; zero values take the providers' defaults.
type Config struct {
	// Provider is auto, off, pocketsphinx or whisper; "" is auto.
	Provider string
	// Language is the default ISO 639-1 code when Hints.Language is empty.
	Language string

	// WhisperURL is the transcription server (see whisper.Config.URL);
	// setting it makes auto choose whisper.
	WhisperURL    string
	WhisperModel  string
	WhisperAPIKey string
	// WhisperTimeout bounds one request; whisper.DefaultTimeout when 0.
	WhisperTimeout time.Duration
	// WhisperClient sends the requests (one that reaches only the
	// server, see outbound.Client); http.DefaultClient when nil.
	WhisperClient *http.Client

	// SphinxModelDir is PocketSphinx's model; pocketsphinx.DefaultModelDir when empty.
	SphinxModelDir string
	// SphinxPoolSize is how many utterances PocketSphinx decodes at once; 1 when 0.
	SphinxPoolSize int
	// SphinxNames adds the campaign's names (Hints.Names) to PocketSphinx's
	// dictionary and language model (pocketsphinx.Config.AddNames); the
	// server always does.
	SphinxNames bool

	Logger *slog.Logger
}

// ErrOff is returned by an Off recogniser.
var ErrOff = errors.New("speech-to-text is off")

// New returns the recogniser cfg asks for. When speech-to-text is off, by
// choice or because auto found nothing, it returns an *OffRecognizer
// saying why. A provider named explicitly that cannot run is an error.
func New(cfg Config) (speech.Recognizer, error) {
	switch p := strings.ToLower(strings.TrimSpace(cfg.Provider)); p {
	case Off:
		return &OffRecognizer{Reason: "GMC_STT is off"}, nil
	case Whisper:
		if cfg.WhisperURL == "" {
			return nil, errors.New("stt: provider whisper needs the Whisper server's URL (WhisperURL)")
		}
		return newWhisper(cfg)
	case PocketSphinx:
		return newSphinx(cfg)
	case Auto, "":
		if cfg.WhisperURL != "" {
			return newWhisper(cfg)
		}
		if err := pocketsphinx.Probe(cfg.SphinxModelDir); err != nil {
			return &OffRecognizer{Reason: "no Whisper server configured and " + err.Error()}, nil
		}
		return newSphinx(cfg)
	default:
		return nil, fmt.Errorf("stt: unknown provider %q (want auto, off, pocketsphinx or whisper)", cfg.Provider)
	}
}

func newWhisper(cfg Config) (speech.Recognizer, error) {
	return whisper.New(whisper.Config{
		URL: cfg.WhisperURL, Model: cfg.WhisperModel, APIKey: cfg.WhisperAPIKey,
		Language: cfg.Language, Timeout: cfg.WhisperTimeout, Client: cfg.WhisperClient, Logger: cfg.Logger,
	})
}

func newSphinx(cfg Config) (speech.Recognizer, error) {
	return pocketsphinx.New(pocketsphinx.Config{ModelDir: cfg.SphinxModelDir, PoolSize: cfg.SphinxPoolSize, AddNames: cfg.SphinxNames, Logger: cfg.Logger})
}

// Describe is a line for the start-up log: which provider runs, and
// where or why not. It never shows an API key.
func Describe(r speech.Recognizer) string {
	switch r := r.(type) {
	case *OffRecognizer:
		return "speech-to-text off: " + r.Reason
	case *whisper.Recognizer:
		return "speech-to-text: whisper at " + r.Endpoint()
	default:
		return "speech-to-text: " + r.Name()
	}
}

// OffRecognizer is speech-to-text switched off; Recognize fails with
// ErrOff and the reason.
type OffRecognizer struct {
	Reason string
}

// Name is "off".
func (o *OffRecognizer) Name() string { return Off }

// Recognize always fails with ErrOff.
func (o *OffRecognizer) Recognize(context.Context, []float32, speech.Hints) (*speech.Transcript, error) {
	return nil, fmt.Errorf("%w: %s", ErrOff, o.Reason)
}

// Close does nothing.
func (o *OffRecognizer) Close() error { return nil }
