package pocketsphinx

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/speech"
)

// synth speaks text with flite or espeak-ng and returns it as 16 kHz
// mono samples (resampled by sox).
func synth(t testing.TB, engine, text string) []float32 {
	t.Helper()
	dir := t.TempDir()
	raw, wav := filepath.Join(dir, "raw.wav"), filepath.Join(dir, "16k.wav")
	var cmd *exec.Cmd
	switch engine {
	case "flite":
		cmd = exec.Command("flite", "-t", text, "-o", raw)
	case "espeak-ng":
		cmd = exec.Command("espeak-ng", "-w", raw, text)
	default:
		t.Fatalf("unknown engine %q", engine)
	}
	needTool(t, engine)
	needTool(t, "sox")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", engine, err, out)
	}
	if out, err := exec.Command("sox", raw, "-r", "16000", "-c", "1", "-b", "16", wav).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	return readWAV16(t, wav)
}

func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed: %v", name, err)
		}
		t.Skipf("SKIPPING: %s not installed: %v", name, err)
	}
}

// readWAV16 reads the samples of a 16-bit mono PCM WAV file.
func readWAV16(t testing.TB, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for off := 12; off+8 <= len(b); {
		id, n := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:]))
		off += 8
		if id == "data" {
			data := b[off:min(off+n, len(b))]
			s := make([]float32, len(data)/2)
			for i := range s {
				s[i] = float32(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
			}
			return s
		}
		off += n + n%2
	}
	t.Fatalf("%s has no data chunk", path)
	return nil
}

func mustNew(t testing.TB, cfg Config) *Recognizer {
	t.Helper()
	needModel(t)
	r, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// wer is the word error rate of got against want, ignoring case.
func wer(want, got string) float64 {
	w, g := strings.Fields(strings.ToLower(want)), strings.Fields(strings.ToLower(got))
	return float64(editDistance(g, w)) / float64(len(w))
}

func TestRecognizeSentences(t *testing.T) {
	t.Parallel()
	r := mustNew(t, Config{})
	tests := []string{
		"the wizard casts fireball at the goblin",
		"roll for initiative",
		"the dragon flies over the village and breathes fire",
		"i open the chest and look for gold",
	}
	var errs float64
	for _, text := range tests {
		samples := synth(t, "flite", text)
		got, err := r.Recognize(context.Background(), samples, speech.Hints{Language: "en"})
		if err != nil {
			t.Fatalf("Recognize(%q): %v", text, err)
		}
		e := wer(text, got.Text())
		errs += e
		t.Logf("%q -> %q (WER %.2f), alternatives %q", text, got.Text(), e, got.Alternatives)
		if e > 0.5 {
			t.Errorf("Recognize(%q) = %q, word error rate %.2f, want at most 0.5", text, got.Text(), e)
		}
		checkTimes(t, got, len(samples))
		if len(got.Alternatives) > 5 || slices.Contains(got.Alternatives, got.Text()) {
			t.Errorf("Recognize(%q) alternatives = %q, want at most 5 other readings", text, got.Alternatives)
		}
	}
	t.Logf("mean word error rate %.3f over %d sentences", errs/float64(len(tests)), len(tests))
}

// checkTimes checks that words are in order, inside the audio, and have
// text.
func checkTimes(t *testing.T, tr *speech.Transcript, samples int) {
	t.Helper()
	audioMS := int64(samples) * 1000 / speech.SampleRate
	var last int64
	for i, w := range tr.Words {
		if w.Text == "" || strings.ContainsAny(w.Text, "<>[]()") || w.StartMS < last || w.EndMS <= w.StartMS || w.EndMS > audioMS || w.Confidence < 0 || w.Confidence > 1 {
			t.Errorf("word %d = %+v, want a word after %d ms ending inside %d ms", i, w, last, audioMS)
		}
		last = w.EndMS
	}
}

// TestRecognizeNames says made-up names (none in the dictionary) in a
// sentence; they must come out as written when they are hints, and not
// otherwise. One decoder hears both, so that the words added for one call
// are gone in the next.
func TestRecognizeNames(t *testing.T) {
	t.Parallel()
	r := mustNew(t, Config{PoolSize: 1, AddNames: true})
	withSharedLTS(t, r)
	names := []string{"Xylandra", "Thandrel", "Vexmoor", "Quorlith"}
	found := 0
	firstFound := false
	for i, name := range names {
		text := "we follow " + name + " into the cave"
		samples := synth(t, "flite", text)
		with, err := r.Recognize(context.Background(), samples, speech.Hints{Names: []string{"Lord " + name, "Mirabel"}})
		if err != nil {
			t.Fatal(err)
		}
		without, err := r.Recognize(context.Background(), samples, speech.Hints{Names: []string{"Mirabel"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%q -> with the name %q, without %q", text, with.Text(), without.Text())
		if slices.ContainsFunc(with.Words, func(w speech.Word) bool { return w.Text == name }) {
			found++
			firstFound = firstFound || i == 0
		}
		if strings.Contains(strings.ToLower(without.Text()+" "+strings.Join(without.Alternatives, " ")), strings.ToLower(name)) {
			t.Errorf("without %s in the hints, Recognize = %q, alternatives %q, want no %s", name, without.Text(), without.Alternatives, name)
		}
		checkTimes(t, with, len(samples))
	}
	// A campaign that comes back gets its names again: they are still in
	// the language model but were taken out of the dictionary.
	text := "we follow " + names[0] + " into the cave"
	again, err := r.Recognize(context.Background(), synth(t, "flite", text), speech.Hints{Names: names[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if firstFound && !strings.Contains(again.Text(), names[0]) {
		t.Errorf("%q heard again with its name as a hint = %q, want %s as before", text, again.Text(), names[0])
	}
	// The letter-to-sound rules are good, not perfect: most names, not all.
	if found < len(names)-1 {
		t.Errorf("%d of %d names recognised as written, want at least %d", found, len(names), len(names)-1)
	}
}

func TestRecognizeConcurrent(t *testing.T) {
	t.Parallel()
	r := mustNew(t, Config{PoolSize: 2})
	texts := []string{"roll for initiative", "the goblin attacks the ranger"}
	audio := make([][]float32, len(texts))
	want := make([]string, len(texts))
	for i, text := range texts {
		audio[i] = synth(t, "flite", text)
		got, err := r.Recognize(context.Background(), audio[i], speech.Hints{})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = got.Text()
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			i := g % len(texts)
			got, err := r.Recognize(context.Background(), audio[i], speech.Hints{})
			if err != nil {
				t.Errorf("Recognize: %v", err)
				return
			}
			if got.Text() != want[i] {
				t.Errorf("concurrent Recognize = %q, want %q as alone", got.Text(), want[i])
			}
		})
	}
	wg.Wait()
}

func TestRecognizeRefuses(t *testing.T) {
	t.Parallel()
	r := mustNew(t, Config{})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		hints speech.Hints
	}{
		{"cancelled", cancelled, speech.Hints{}},
		{"other language", context.Background(), speech.Hints{Language: "de"}},
	}
	for _, tc := range tests {
		if _, err := r.Recognize(tc.ctx, make([]float32, speech.SampleRate), tc.hints); err == nil {
			t.Errorf("%s: Recognize succeeded, want an error", tc.name)
		}
	}
	got, err := r.Recognize(context.Background(), nil, speech.Hints{})
	if err != nil || len(got.Words) != 0 {
		t.Errorf("Recognize(no samples) = %v, %v, want no words", got, err)
	}
	r.Close()
	if _, err := r.Recognize(context.Background(), make([]float32, 100), speech.Hints{}); err == nil {
		t.Error("Recognize after Close succeeded, want an error")
	}
}

func TestProbe(t *testing.T) {
	t.Parallel()
	needModel(t)
	missing := filepath.Join(t.TempDir(), "nomodel")
	if err := Probe(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Probe(%s) = %v, want an error naming it", missing, err)
	}
	if _, err := New(Config{ModelDir: missing}); err == nil {
		t.Errorf("New(ModelDir %s) succeeded, want an error", missing)
	}
}

func TestLoadLibMissing(t *testing.T) {
	t.Parallel()
	_, err := loadLibNamed([]string{"libpocketsphinx-gmc-test-none.so.3"}, []string{"libsphinxbase-gmc-test-none.so.3"})
	if err == nil || !strings.Contains(err.Error(), "install the Debian packages") {
		t.Errorf("loadLibNamed(missing) = %v, want the not-installed error", err)
	}
}

func FuzzWordText(f *testing.F) {
	for _, s := range []string{"<s>", "</s>", "<sil>", "[NOISE]", "++UM++", "read(2)", "goblin", "(", "a(b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		got := wordText(w)
		if got != "" && (strings.ContainsAny(got[:1], "<[+") || !strings.HasPrefix(w, got) || got != w && strings.Contains(got, "(")) {
			t.Errorf("wordText(%q) = %q", w, got)
		}
		if h := hypText(w + " " + w); strings.Contains(" "+h+" ", " <s> ") {
			t.Errorf("hypText kept a filler: %q", h)
		}
	})
}

// TestRecognizeKeepsNames checks that names stay in the dictionary from
// one utterance to the next, however they are written, and that only a
// name that is no longer wanted makes it reload.
func TestRecognizeKeepsNames(t *testing.T) {
	t.Parallel()
	r := mustNew(t, Config{PoolSize: 1, AddNames: true})
	withSharedLTS(t, r)
	silence := make([]float32, speech.SampleRate/2)
	steps := []struct {
		names       []string
		wantReloads int
	}{
		{[]string{"xylandra", "Vexmoor Keep"}, 0},
		{[]string{"xylandra", "Vexmoor Keep"}, 0},
		{[]string{"Vexmoor", "xylandra", "Keep"}, 0},
		{[]string{"Thandrel"}, 1},
		{[]string{"Thandrel", "Quorlith"}, 1},
		{nil, 2},
	}
	for i, st := range steps {
		if _, err := r.Recognize(context.Background(), silence, speech.Hints{Names: st.names}); err != nil {
			t.Fatal(err)
		}
		d := <-r.pool
		reloads, added := d.reloads, len(d.added)
		r.pool <- d
		if reloads != st.wantReloads {
			t.Errorf("step %d (%q): %d dictionary reloads, want %d", i, st.names, reloads, st.wantReloads)
		}
		if want := min(len(st.names), 2); st.names != nil && added != want {
			t.Errorf("step %d (%q): %d words added, want %d", i, st.names, added, want)
		}
	}
}

// TestRecognizeWaitsForDecoder checks that a call waiting for a busy
// decoder gives up with its context, and that Close while a call runs
// neither breaks that call nor leaks its decoder.
func TestRecognizeWaitsForDecoder(t *testing.T) {
	t.Parallel()
	r := mustNew(t, Config{PoolSize: 1})
	d := <-r.pool // the only decoder is busy
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := r.Recognize(ctx, make([]float32, 100), speech.Hints{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Recognize with every decoder busy = %v, want %v", err, context.DeadlineExceeded)
	}
	r.pool <- d

	speech16 := synth(t, "flite", "roll for initiative")
	done := make(chan error, 1)
	go func() {
		_, err := r.Recognize(context.Background(), speech16, speech.Hints{})
		done <- err
	}()
	r.Close()
	if err := <-done; err != nil && !errors.Is(err, errClosed) {
		t.Errorf("Recognize during Close = %v, want success or %v", err, errClosed)
	}
	if len(r.pool) != 0 {
		t.Errorf("%d decoders back in the pool after Close, want 0 (freed)", len(r.pool))
	}
}

// TestNamesIgnoredUnlessAsked: without AddNames the dictionary is never
// touched, whatever the hints say.
func TestNamesIgnoredUnlessAsked(t *testing.T) {
	t.Parallel()
	r := mustNew(t, Config{PoolSize: 1})
	silence := make([]float32, speech.SampleRate/2)
	if _, err := r.Recognize(context.Background(), silence, speech.Hints{Names: []string{"Xylandra", "Vexmoor Keep"}}); err != nil {
		t.Fatal(err)
	}
	d := <-r.pool
	defer func() { r.pool <- d }()
	if len(d.added) != 0 || d.inDict("xylandra") {
		t.Errorf("names were added without AddNames: %v", d.added)
	}
}

// TestRecognizeManyNames decodes with campaigns of a hundred and more
// invented names in turn, the sets that crashed this PocketSphinx when
// names were written into its stock language model (see setWords): every
// utterance is decoded, and the stock model keeps exactly the words it
// was loaded with.
func TestRecognizeManyNames(t *testing.T) {
	t.Parallel()
	r := mustNew(t, Config{PoolSize: 1, AddNames: true})
	withSharedLTS(t, r)
	var campaigns [2][]string
	syllables := []string{"bra", "dor", "kel", "mir", "thu", "zan", "vel", "gor", "qua", "lis", "fen"}
	for i, a := range syllables {
		for j, b := range syllables {
			for k, c := range []string{"ax", "ith", "oon"} {
				if i != j {
					campaigns[(i+j+k)%2] = append(campaigns[(i+j+k)%2], a+b+c)
				}
			}
		}
	}
	campaigns[0] = append(campaigns[0], "Xylandra")
	d := <-r.pool
	vocab := int(*d.l.lmCounts(d.lm))
	r.pool <- d
	text := "we follow Xylandra into the cave"
	samples := synth(t, "flite", text)
	for i := range 4 {
		names := campaigns[i%2]
		got, err := r.Recognize(context.Background(), samples, speech.Hints{Names: names})
		if err != nil {
			t.Fatalf("utterance %d with %d names: %v", i, len(names), err)
		}
		t.Logf("%d names: %q", len(names), got.Text())
		checkTimes(t, got, len(samples))
		if i%2 == 0 && !strings.Contains(got.Text(), "Xylandra") {
			t.Errorf("%q with %d names = %q, want Xylandra as written", text, len(names), got.Text())
		}
		d := <-r.pool
		after, lmNames, added := int(*d.l.lmCounts(d.lm)), len(d.lmNames), len(d.added)
		unknown := d.l.lmWid(d.lm, names[0]) == d.l.lmUnknownID(d.lm)
		r.pool <- d
		if after != vocab || !unknown {
			t.Errorf("utterance %d: the stock model has %d words (was %d), knows %s: %v; want it untouched", i, after, vocab, names[0], !unknown)
		}
		if lmNames != len(names) || added != len(names) {
			t.Errorf("utterance %d: %d words in the names model, %d added to the dictionary, want %d", i, lmNames, added, len(names))
		}
	}
}
