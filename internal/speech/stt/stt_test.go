package stt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/stt/pocketsphinx"
)

func TestNew(t *testing.T) {
	t.Parallel()
	sphinx := pocketsphinx.Probe("") == nil
	if !sphinx && os.Getenv("CI") == "true" {
		t.Fatalf("CI must have PocketSphinx: %v", pocketsphinx.Probe(""))
	}
	noModel := filepath.Join(t.TempDir(), "none")
	tests := []struct {
		name     string
		cfg      Config
		wantName string // "" means an error
		wantIn   string // in Describe or the error
	}{
		{"off", Config{Provider: "off"}, "off", "off"},
		{"whisper", Config{Provider: "whisper", WhisperURL: "http://127.0.0.1:9/", WhisperAPIKey: "sk-secret"}, "whisper", "127.0.0.1:9/v1/audio/transcriptions"},
		{"whisper without URL", Config{Provider: "whisper"}, "", "WhisperURL"},
		{"auto with URL", Config{WhisperURL: "http://127.0.0.1:9/inference"}, "whisper", "/inference"},
		{"auto without model", Config{Provider: "AUTO", SphinxModelDir: noModel}, "off", noModel},
		{"pocketsphinx without model", Config{Provider: "pocketsphinx", SphinxModelDir: noModel}, "", noModel},
		{"unknown", Config{Provider: "kaldi"}, "", "kaldi"},
	}
	if sphinx {
		tests = append(tests, struct {
			name     string
			cfg      Config
			wantName string
			wantIn   string
		}{"auto finds pocketsphinx", Config{}, "pocketsphinx", "pocketsphinx"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := New(tc.cfg)
			if tc.wantName == "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantIn) {
					t.Fatalf("New = %v, %v, want an error naming %q", r, err, tc.wantIn)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer r.Close()
			if r.Name() != tc.wantName {
				t.Errorf("New chose %q, want %q", r.Name(), tc.wantName)
			}
			d := Describe(r)
			if !strings.Contains(d, tc.wantIn) || strings.Contains(d, "sk-secret") {
				t.Errorf("Describe = %q, want it to name %q and hide the key", d, tc.wantIn)
			}
		})
	}
}

func TestOffRecognizer(t *testing.T) {
	t.Parallel()
	r := &OffRecognizer{Reason: "because"}
	_, err := r.Recognize(context.Background(), nil, speech.Hints{})
	if !errors.Is(err, ErrOff) || !strings.Contains(err.Error(), "because") {
		t.Errorf("Recognize = %v, want ErrOff with the reason", err)
	}
}
