package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/outbound"
	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/diarize"
	"github.com/gmc-project/gmc/internal/speech/pipeline"
	"github.com/gmc-project/gmc/internal/speech/stt"
	"github.com/gmc-project/gmc/internal/speech/vad"
	"github.com/gmc-project/gmc/internal/transcribe"
)

// OpenSpeech builds the speech engine from the settings: the recogniser
// GMC_STT names and the diarizer GMC_DIARIZATION names ("off", which only
// tools use, diarizes nothing). With GMC_STT=auto a missing PocketSphinx
// leaves speech off, with the reason in the engine; a provider asked for
// by name that cannot run stops the start with an error naming the
// setting. The returned function releases the providers.
func OpenSpeech(ctx context.Context, cfg config.Config, log *slog.Logger) (*transcribe.Engine, func() error, error) {
	return openSpeech(ctx, cfg, log, nil)
}

// openSpeech is OpenSpeech with the metrics the engine records in.
func openSpeech(ctx context.Context, cfg config.Config, log *slog.Logger, m *metrics.Metrics) (*transcribe.Engine, func() error, error) {
	rec, off, err := openRecognizer(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	dia, err := openDiarizer(cfg)
	if err != nil {
		if rec != nil {
			rec.Close()
		}
		return nil, nil, err
	}
	engine, err := transcribe.New(transcribe.Config{
		Recognizer: rec, Off: off, Diarizer: dia, Tracks: diarize.Tracks(), Language: cfg.SpeechLanguage, Metrics: m,
		NewSegmenter: func() pipeline.Segmenter {
			d, err := vad.New(vad.DefaultConfig())
			if err != nil {
				panic(err) // the default configuration is valid
			}
			return d
		},
	})
	if err != nil {
		return nil, nil, err
	}
	closeAll := func() error {
		var errs []error
		if rec != nil {
			errs = append(errs, rec.Close())
		}
		if dia != nil {
			errs = append(errs, dia.Close())
		}
		return errors.Join(errs...)
	}
	return engine, closeAll, nil
}

// openDiarizer returns the diarizer GMC_DIARIZATION names; nil for "off".
func openDiarizer(cfg config.Config) (speech.Diarizer, error) {
	name := cmp.Or(cfg.Diarization, "auto")
	if name == "off" {
		return nil, nil
	}
	dc := diarize.Config{DiartURL: cfg.DiartURL}
	if cfg.DiartURL != "" {
		c, err := outbound.Client(cfg.DiartURL, 30*time.Second)
		if err != nil {
			return nil, fmt.Errorf("GMC_DIART_URL: %w", err)
		}
		dc.DiartClient = c
	}
	dia, err := diarize.New(name, dc)
	if err != nil {
		return nil, fmt.Errorf("GMC_DIARIZATION: %w", err)
	}
	return dia, nil
}

// openRecognizer returns the recogniser, or nil and why speech is off.
func openRecognizer(cfg config.Config, log *slog.Logger) (speech.Recognizer, string, error) {
	provider := cfg.STT
	if provider == "" {
		provider = stt.Off // a Config built in code, not loaded: tests and tools
	}
	var whisperClient *http.Client
	if cfg.WhisperURL != "" {
		// The request timeout is the recogniser's own, per attempt.
		c, err := outbound.Client(cfg.WhisperURL, 0)
		if err != nil {
			return nil, "", fmt.Errorf("GMC_WHISPER_URL: %w", err)
		}
		whisperClient = c
	}
	rec, err := stt.New(stt.Config{
		Provider: provider, Language: cfg.SpeechLanguage,
		WhisperURL: cfg.WhisperURL, WhisperModel: cfg.WhisperModel, WhisperAPIKey: cfg.WhisperAPIKey, WhisperClient: whisperClient,
		// One decoder per core: each keeps a core busy and holds its own
		// copy of the model.
		SphinxModelDir: cfg.SphinxModelDir, SphinxPoolSize: min(runtime.NumCPU(), 4), SphinxNames: true, Logger: log,
	})
	if err != nil {
		return nil, "", fmt.Errorf("GMC_STT=%s: %w", provider, err)
	}
	if off, ok := rec.(*stt.OffRecognizer); ok {
		reason := off.Reason
		if provider == stt.Auto {
			reason += " (install the Debian packages pocketsphinx and pocketsphinx-en-us, or set GMC_WHISPER_URL)"
		}
		return nil, reason, nil
	}
	return rec, "", nil
}
