package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/speech/stt/pocketsphinx"
	"github.com/gmc-project/gmc/internal/testenv"
)

// needSpeech skips the test without flite, sox and PocketSphinx (fails
// it under CI=true, where .ci/run installs them).
func needSpeech(t *testing.T) {
	t.Helper()
	var err error
	for _, tool := range []string{"flite", "sox"} {
		if _, e := exec.LookPath(tool); e != nil && err == nil {
			err = e
		}
	}
	if err == nil {
		err = pocketsphinx.Probe("")
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skipf("SKIPPING: %v", err)
	}
}

// spoken is the 16 kHz mono PCM16 of text in a flite voice.
func spoken(t *testing.T, voice, text string) []byte {
	t.Helper()
	dir := t.TempDir()
	raw, wav := filepath.Join(dir, "raw.wav"), filepath.Join(dir, "16k.raw")
	if out, err := exec.Command("flite", "-voice", voice, "-t", text, "-o", raw).CombinedOutput(); err != nil {
		t.Fatalf("flite: %v: %s", err, out)
	}
	// Headerless output: the samples only.
	if out, err := exec.Command("sox", raw, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", wav).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	b, err := os.ReadFile(wav)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wavFile writes 16 kHz mono PCM16 pieces as one WAV file.
func wavFile(t *testing.T, path string, pieces ...[]byte) []byte {
	t.Helper()
	b := testenv.WAV(slices.Concat(pieces...))
	if path != "" {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func quiet(ms int) []byte { return make([]byte, 32*ms) }

// line is one printed segment: [m:ss.d–m:ss.d] label: text
var line = regexp.MustCompile(`^\[\d+:\d\d\.\d–\d+:\d\d\.\d\] ([^:]*): (.+)$`)

// TestTranscribe runs `gmc transcribe` on a WAV file, with -diarize on
// two voices, on a zip of two tracks, and as JSON.
func TestTranscribe(t *testing.T) {
	t.Parallel()
	needSpeech(t)
	dir := t.TempDir()
	alice := spoken(t, "slt", "the dragon sleeps under the mountain of gold")
	bob := spoken(t, "rms", "roll for initiative and draw your swords")
	one, two, tracks := filepath.Join(dir, "one.wav"), filepath.Join(dir, "two.wav"), filepath.Join(dir, "craig.zip")
	wavFile(t, one, quiet(300), alice, quiet(500))
	wavFile(t, two, quiet(300), alice, quiet(1000), bob, quiet(500))
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, b := range map[string][]byte{
		"1-alice.wav": wavFile(t, "", quiet(300), alice, quiet(500)),
		"2-bob.wav":   wavFile(t, "", quiet(300), quiet(len(alice)/32), quiet(1000), bob, quiet(500)),
	} {
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	if err := os.WriteFile(tracks, zb.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		args   []string
		labels []string
		words  []string
	}{
		{"one voice", []string{one}, nil, []string{"dragon"}},
		{"diarized", []string{"-diarize", two}, []string{"speaker1", "speaker2"}, []string{"dragon", "initiative"}},
		{"tracks", []string{tracks}, []string{"alice", "bob"}, []string{"dragon", "initiative"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"GMC_STT": "pocketsphinx", "GMC_DATA_DIR": t.TempDir()}
			var out, errOut bytes.Buffer
			if err := run(context.Background(), append([]string{"transcribe"}, tc.args...), func(k string) string { return env[k] }, &out, &errOut); err != nil {
				t.Fatalf("transcribe: %v\n%s", err, errOut.String())
			}
			var labels []string
			for l := range strings.Lines(strings.TrimSpace(out.String())) {
				m := line.FindStringSubmatch(strings.TrimSpace(l))
				if m == nil {
					t.Fatalf("line %q is not [start–end] label: text", l)
				}
				if tc.labels != nil && (len(labels) == 0 || labels[len(labels)-1] != m[1]) {
					labels = append(labels, m[1])
				}
			}
			if !slices.Equal(labels, tc.labels) {
				t.Errorf("labels %v, want %v:\n%s", labels, tc.labels, out.String())
			}
			for _, w := range tc.words {
				if !strings.Contains(out.String(), w) {
					t.Errorf("no %q in\n%s", w, out.String())
				}
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{"GMC_STT": "pocketsphinx", "GMC_DATA_DIR": t.TempDir()}
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"transcribe", "-json", one}, func(k string) string { return env[k] }, &out, &errOut); err != nil {
			t.Fatalf("transcribe -json: %v\n%s", err, errOut.String())
		}
		dec := json.NewDecoder(&out)
		n := 0
		for dec.More() {
			var s struct {
				Speaker *string `json:"speaker"`
				StartMS int64   `json:"start_ms"`
				EndMS   int64   `json:"end_ms"`
				Text    string  `json:"text"`
			}
			if err := dec.Decode(&s); err != nil || s.Speaker == nil || s.EndMS <= s.StartMS || s.Text == "" {
				t.Fatalf("segment %d: %+v, %v", n, s, err)
			}
			n++
		}
		if n == 0 {
			t.Error("no segments")
		}
	})

	t.Run("truncated", func(t *testing.T) {
		t.Parallel()
		cut := filepath.Join(t.TempDir(), "cut.wav")
		if err := os.WriteFile(cut, wavFile(t, "", alice)[:2000], 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"GMC_STT": "pocketsphinx", "GMC_DATA_DIR": t.TempDir()}
		var out bytes.Buffer
		err := run(context.Background(), []string{"transcribe", cut}, func(k string) string { return env[k] }, &out, &out)
		if err == nil || !strings.Contains(err.Error(), cut) || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("transcribe of a cut file: error %v, want one naming it truncated", err)
		}
	})
}

// TestTranscribeErrors: what the command refuses, and the setting or file
// it names.
func TestTranscribeErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "cut.wav")
	if err := os.WriteFile(bad, wavFile(t, "", quiet(1000))[:500], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"GMC_STT": "off"}, []string{bad}, "GMC_STT"},
		{map[string]string{"GMC_STT": "whisper"}, []string{bad}, "GMC_STT"},
		{map[string]string{"GMC_STT": "off"}, nil, "usage"},
	} {
		var out bytes.Buffer
		tc.env["GMC_DATA_DIR"] = dir
		err := run(context.Background(), append([]string{"transcribe"}, tc.args...), func(k string) string { return tc.env[k] }, &out, &out)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("transcribe %v with %v: error %v, want one naming %s", tc.args, tc.env, err, tc.want)
		}
	}
}
