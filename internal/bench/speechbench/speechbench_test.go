package speechbench

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gmc-project/gmc/internal/speech"
	"github.com/gmc-project/gmc/internal/speech/audio"
	"github.com/gmc-project/gmc/internal/speech/stt/pocketsphinx"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestWords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
	}{
		{"The harpy's song echoes across Duskmoor.", "the harpy's song echoes across duskmoor"},
		{"Scorching Ray, three rays, all at the harpy!", "scorching ray three rays all at the harpy"},
		{"  'Quoted' — well-known  ", "quoted well known"},
		{"It’s 20 gold", "it's 20 gold"},
		{"...", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(words(tt.in), " "); got != tt.want {
			t.Errorf("words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAlign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref, hyp string
		want     WER
	}{
		{"a b c", "a b c", WER{Ref: 3}},
		{"a b c", "a x c", WER{Ref: 3, Substitutions: 1}},
		{"a b c", "a c", WER{Ref: 3, Deletions: 1}},
		{"a b c", "a b b c", WER{Ref: 3, Insertions: 1}},
		{"a b c", "", WER{Ref: 3, Deletions: 3}},
		{"", "a b", WER{Insertions: 2}},
		// Two substitutions, not a deletion and an insertion each.
		{"a b c d", "a x y d", WER{Ref: 4, Substitutions: 2}},
		{"the cat sat", "cat sat down there", WER{Ref: 3, Deletions: 1, Insertions: 2}},
	}
	for _, tt := range tests {
		got := align(strings.Fields(tt.ref), strings.Fields(tt.hyp))
		if got != tt.want {
			t.Errorf("align(%q, %q) = %+v, want %+v", tt.ref, tt.hyp, got, tt.want)
		}
	}
	if r := (WER{Ref: 4, Substitutions: 1, Insertions: 1}).Rate(); r != 0.5 {
		t.Errorf("Rate = %v, want 0.5", r)
	}
}

func TestLatencyOf(t *testing.T) {
	t.Parallel()
	var ms []float64
	for i := 100; i >= 1; i-- {
		ms = append(ms, float64(i))
	}
	if got, want := latencyOf(ms), (Latency{N: 100, P50: 50, P95: 95, Max: 100}); got != want {
		t.Errorf("latencyOf(1..100) = %+v, want %+v", got, want)
	}
	if got := latencyOf(nil); got != (Latency{}) {
		t.Errorf("latencyOf(nil) = %+v, want zero", got)
	}
}

func TestArgs(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{},
		{"--data", "d", "--diarization", "diart"},
		{"--data", "d", "--speed", "0"},
		{"--data", "d", "--speed", "-1"},
		{"--data", "d", "--limit", "-1s"},
	} {
		if _, err := parseArgs(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseArgs(%q) = nil error, want one", args)
		}
	}
	o, err := parseArgs([]string{"--data", "d", "--only", "dev01,dev03", "--speed", "2"}, &bytes.Buffer{})
	if err != nil || len(o.Only) != 2 || o.Speed != 2 || o.Diarization != "builtin" {
		t.Errorf("parseArgs = %+v, %v", o, err)
	}
}

var (
	buildOnce sync.Once
	gmcBin    string
	buildErr  error
)

// gmcBinary builds gmc once for the end-to-end tests, without -race: the
// server's speed is not what these tests are about.
func gmcBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds gmc and streams speech in real time")
	}
	if err := pocketsphinx.Probe(""); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI installs pocketsphinx: %v", err)
		}
		t.Skipf("SKIPPING: %v", err)
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gmc-speechbench-")
		if err != nil {
			buildErr = err
			return
		}
		gmcBin = filepath.Join(dir, "gmc")
		if b, err := exec.Command("go", "build", "-o", gmcBin, "github.com/gmc-project/gmc/cmd/gmc").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("%v\n%s", err, b)
		}
	})
	if buildErr != nil {
		t.Fatalf("building gmc: %v", buildErr)
	}
	return gmcBin
}

// TestSynthesised streams two flite sentences in two voices, written as a
// folder in the layout of shared/bench/diarization, and expects them
// recognised: flite's voices are ones PocketSphinx hears well.
func TestSynthesised(t *testing.T) {
	t.Parallel()
	gmc := gmcBinary(t)
	if _, err := exec.LookPath("flite"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI installs flite")
		}
		t.Skip("SKIPPING: no flite")
	}
	dir := t.TempDir()
	writeDialogue(t, dir, "syn01", []line{
		{"kal16", "A", "the party walks into the old tavern at the edge of the village"},
		{"slt", "B", "the innkeeper tells them about the goblins in the hills"},
	})
	sum := runBench(t, []string{"--data", dir, "--gmc", gmc, "--speed", "4"})
	f := sum.Files[0]
	if len(f.Segments) == 0 {
		t.Fatal("no transcript.segment arrived")
	}
	if f.WERRate >= 0.5 {
		t.Errorf("WER %.0f%% (%+v), want < 50%% on two clear flite sentences; heard %q", 100*f.WERRate, f.WER, f.Hyp)
	}
	checkSegments(t, f)
}

// TestDevFile streams the start of a dev recording: its espeak voices and
// fantasy names are hard for PocketSphinx (WER near 100%, see the note), so
// only sanity is asserted.
func TestDevFile(t *testing.T) {
	t.Parallel()
	gmc := gmcBinary(t)
	dir := filepath.Join(testenv.SharedData(t, "bench/diarization/dev01.wav", "bench/diarization/dev01.json", "bench/diarization/dev01.rttm"), "bench/diarization")
	sum := runBench(t, []string{"--data", dir, "--only", "dev01", "--limit", "8s", "--gmc", gmc, "--speed", "4"})
	f := sum.Files[0]
	if len(f.Segments) == 0 {
		t.Fatal("no transcript.segment arrived")
	}
	if f.WER.Substitutions+f.WER.Deletions >= f.WER.Ref {
		t.Errorf("no reference word recognised (%+v); heard %q", f.WER, f.Hyp)
	}
	checkSegments(t, f)
}

func runBench(t *testing.T, args []string) *Summary {
	t.Helper()
	out := filepath.Join(t.TempDir(), "summary.json")
	var buf bytes.Buffer
	if err := Main(t.Context(), append(args, "--out", out), &buf, &buf); err != nil {
		t.Fatalf("Main = %v\n%s", err, buf.String())
	}
	t.Logf("\n%s", buf.String())
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var sum Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Files) != 1 || sum.STT != "pocketsphinx" || sum.CPUSec <= 0 || sum.RSS <= 0 {
		t.Fatalf("summary: %d files, stt %q, server CPU %v s, RSS %d; want 1, pocketsphinx, > 0, > 0", len(sum.Files), sum.STT, sum.CPUSec, sum.RSS)
	}
	return &sum
}

// checkSegments: every segment has text and a label and lies within the
// audio sent, and none arrives before its speech ended.
func checkSegments(t *testing.T, f FileReport) {
	t.Helper()
	for _, s := range f.Segments {
		if s.Text == "" || s.Label == "" || s.StartMS >= s.EndMS || float64(s.EndMS) > 1000*f.AudioSec+100 {
			t.Errorf("segment %+v: want text, a label and 0 ≤ start < end ≤ %.0f ms", s, 1000*f.AudioSec)
		}
		if s.LatencyMS < 0 {
			t.Errorf("segment %+v arrived before its speech ended", s)
		}
	}
}

type line struct{ voice, speaker, text string }

// writeDialogue synthesises lines with flite, one after another with a
// second of silence between, as dir/name.wav with its .json and .rttm.
func writeDialogue(t *testing.T, dir, name string, lines []line) {
	t.Helper()
	type sentence struct {
		Start float64 `json:"start"`
		End   float64 `json:"end"`
		Text  string  `json:"text"`
	}
	type turn struct {
		Speaker   string     `json:"speaker"`
		Sentences []sentence `json:"sentences"`
	}
	var (
		pcm   = make([]float32, speech.SampleRate/2)
		turns []turn
		rttm  strings.Builder
	)
	for i, l := range lines {
		wav := filepath.Join(t.TempDir(), fmt.Sprintf("%d.wav", i))
		if b, err := exec.Command("flite", "-voice", l.voice, "-t", l.text, "-o", wav).CombinedOutput(); err != nil {
			t.Fatalf("flite -voice %s: %v\n%s", l.voice, err, b)
		}
		f, err := os.Open(wav)
		if err != nil {
			t.Fatal(err)
		}
		clip, err := audio.DecodeSpeech(f, audio.DefaultLimits())
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		start := float64(len(pcm)) / speech.SampleRate
		pcm = append(pcm, clip.Samples...)
		end := float64(len(pcm)) / speech.SampleRate
		pcm = append(pcm, make([]float32, speech.SampleRate)...)
		turns = append(turns, turn{Speaker: l.speaker, Sentences: []sentence{{start, end, l.text}}})
		fmt.Fprintf(&rttm, "SPEAKER %s 1 %.3f %.3f <NA> <NA> %s <NA> <NA>\n", name, start, end-start, l.speaker)
	}
	ref, err := json.Marshal(map[string]any{"turns": turns})
	if err != nil {
		t.Fatal(err)
	}
	for file, b := range map[string][]byte{".wav": wavBytes(pcm), ".json": ref, ".rttm": []byte(rttm.String())} {
		if err := os.WriteFile(filepath.Join(dir, name+file), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// wavBytes is 16 kHz mono PCM16 WAV.
func wavBytes(samples []float32) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	_ = binary.Write(&b, le, uint32(36+2*len(samples)))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(speech.SampleRate), uint32(2 * speech.SampleRate), uint16(2), uint16(16)} {
		_ = binary.Write(&b, le, v)
	}
	b.WriteString("data")
	_ = binary.Write(&b, le, uint32(2*len(samples)))
	for _, v := range samples {
		_ = binary.Write(&b, le, pcm16(v))
	}
	return b.Bytes()
}
