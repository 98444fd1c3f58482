package builtin

import (
	"context"
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/speech"
)

// voice is a crude source-filter "speaker": a glottal pulse train at f0
// (with jitter and slow intonation) through two resonances.
type voice struct {
	f0, f1, f2 float64
}

// speak returns sec seconds of v, syllables of 200 ms separated by short
// dips, like speech's energy rhythm.
func (v voice) speak(rng *rand.Rand, sec float64) []float32 {
	n := int(sec * speech.SampleRate)
	out := make([]float32, n)
	r1, r2 := newResonator(v.f1, 90), newResonator(v.f2, 120)
	phase := 0.0
	for i := range out {
		t := float64(i) / speech.SampleRate
		f := v.f0 * (1 + 0.05*math.Sin(2*math.Pi*0.7*t) + 0.01*rng.NormFloat64())
		phase += f / speech.SampleRate
		src := 0.0
		if phase >= 1 {
			phase -= 1
			src = 1
		}
		src += 0.02 * rng.NormFloat64()
		y := r1.step(src) + 0.5*r2.step(src)
		env := 0.4 + 0.6*math.Abs(math.Sin(math.Pi*t/0.2))
		out[i] = float32(0.05 * env * y)
	}
	return out
}

type resonator struct{ a1, a2, y1, y2 float64 }

func newResonator(f, bw float64) *resonator {
	r := math.Exp(-math.Pi * bw / speech.SampleRate)
	return &resonator{a1: 2 * r * math.Cos(2*math.Pi*f/speech.SampleRate), a2: -r * r}
}

func (r *resonator) step(x float64) float64 {
	y := x + r.a1*r.y1 + r.a2*r.y2
	r.y2, r.y1 = r.y1, y
	return y
}

func silence(sec float64) []float32 { return make([]float32, int(sec*speech.SampleRate)) }

// conversation is A, B, A, B with pauses; it returns the audio and the
// turns as [start, end) ms with the speaker's index.
func conversation() ([]float32, [][3]int64) {
	rng := rand.New(rand.NewPCG(3, 4))
	voices := []voice{{f0: 110, f1: 600, f2: 1200}, {f0: 230, f1: 900, f2: 2400}}
	var audio []float32
	var truth [][3]int64
	audio = append(audio, silence(0.5)...)
	for i, spk := range []int{0, 1, 0, 1} {
		start := int64(len(audio)) * 1000 / speech.SampleRate
		audio = append(audio, voices[spk].speak(rng, 3+float64(i%2))...)
		truth = append(truth, [3]int64{start, int64(len(audio)) * 1000 / speech.SampleRate, int64(spk)})
		audio = append(audio, silence(0.6)...)
	}
	return audio, truth
}

func runStream(t *testing.T, audio []float32, chunk int) []speech.Turn {
	t.Helper()
	st := New(DefaultParams()).Stream()
	for off := 0; off < len(audio); off += chunk {
		if err := st.Push(t.Context(), audio[off:min(off+chunk, len(audio))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	turns, err := st.Turns(t.Context(), 0, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	return turns
}

func TestTellsTwoVoicesApart(t *testing.T) {
	t.Parallel()
	audio, truth := conversation()
	turns := runStream(t, audio, 1600)
	// Every true turn must be covered (within 100 ms at its edges) by
	// turns of one label, A's label on A's turns and B's on B's.
	labelOf := map[int64]string{}
	for _, tr := range truth {
		var labels []string
		var covered int64
		for _, u := range turns {
			o := min(u.EndMS, tr[1]) - max(u.StartMS, tr[0])
			if o > 0 {
				covered += o
				labels = append(labels, u.Label)
			}
		}
		if covered < tr[1]-tr[0]-200 {
			t.Errorf("true turn %v: %d ms covered by turns %v, want all but 200 ms", tr, covered, turns)
		}
		for _, l := range labels {
			if want, ok := labelOf[tr[2]]; ok && l != want {
				t.Errorf("true turn %v of speaker %d labelled %q, earlier turns of that speaker %q (turns %v)", tr, tr[2], l, want, turns)
			}
			labelOf[tr[2]] = l
		}
	}
	if labelOf[0] == labelOf[1] {
		t.Errorf("both voices labelled %q: %v", labelOf[0], turns)
	}
	if labelOf[0] != "speaker1" || labelOf[1] != "speaker2" {
		t.Errorf("labels %q, %q; want speaker1 for the first voice heard and speaker2 for the second", labelOf[0], labelOf[1])
	}
}

func TestSameTurnsWhateverTheChunks(t *testing.T) {
	t.Parallel()
	audio, _ := conversation()
	want := runStream(t, audio, len(audio))
	for _, chunk := range []int{159, 8000} {
		if diff := cmp.Diff(want, runStream(t, audio, chunk)); diff != "" {
			t.Errorf("pushed in chunks of %d (-whole +chunked):\n%s", chunk, diff)
		}
	}
}

// TestStreamingAnswersAreFinal asks Turns for each second as soon as it has
// been pushed (from another goroutine, so Turns may wait) and wants every
// answer to agree with the turns at the end: labels are stable.
func TestStreamingAnswersAreFinal(t *testing.T) {
	t.Parallel()
	audio, _ := conversation()
	final := runStream(t, audio, len(audio))
	st := New(DefaultParams()).Stream()
	type answer struct {
		from, to int64
		turns    []speech.Turn
		err      error
	}
	answers := make(chan answer)
	total := int64(len(audio)) * 1000 / speech.SampleRate
	go func() {
		for from := int64(0); from < total; from += 1000 {
			turns, err := st.Turns(context.Background(), from, from+1000)
			answers <- answer{from, from + 1000, turns, err}
		}
		close(answers)
	}()
	go func() {
		for off := 0; off < len(audio); off += 800 {
			st.Push(context.Background(), audio[off:min(off+800, len(audio))])
		}
		st.Close()
	}()
	for a := range answers {
		if a.err != nil {
			t.Fatal(a.err)
		}
		for _, u := range a.turns {
			if !coveredBy(u, final) {
				t.Errorf("Turns(%d, %d) gave %+v, which the final turns %v do not hold", a.from, a.to, u, final)
			}
		}
	}
}

// coveredBy says whether u lies inside a final turn of the same label.
func coveredBy(u speech.Turn, final []speech.Turn) bool {
	for _, f := range final {
		if f.Label == u.Label && f.StartMS <= u.StartMS && u.EndMS <= f.EndMS {
			return true
		}
	}
	return false
}

func TestSilenceHasNoTurns(t *testing.T) {
	t.Parallel()
	if got := runStream(t, silence(5), 1000); len(got) != 0 {
		t.Errorf("turns in silence: %v", got)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	noise := make([]float32, 5*speech.SampleRate)
	for i := range noise {
		noise[i] = float32(0.01 * rng.NormFloat64())
	}
	if got := runStream(t, noise, 1000); len(got) != 0 {
		t.Errorf("turns in steady noise: %v", got)
	}
}

func TestTurnsWaitsAndEnds(t *testing.T) {
	t.Parallel()
	st := New(DefaultParams()).Stream()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := st.Turns(ctx, 0, 1000); !errors.Is(err, context.Canceled) {
		t.Errorf("Turns() before any audio with a cancelled context: error = %v, want context.Canceled", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := st.Turns(context.Background(), 0, 60000)
		done <- err
	}()
	st.Push(t.Context(), silence(1))
	st.Close() // the end of the stream answers every wait
	if err := <-done; err != nil {
		t.Errorf("Turns() waiting past the end: error = %v", err)
	}
	if err := st.Push(t.Context(), silence(1)); err == nil {
		t.Error("Push() after Close = nil error, want one")
	}
}

func TestFFTMatchesDFT(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	a := newAnalyzer(speech.SampleRate)
	x := make([]complex128, fftSize)
	for i := range x {
		x[i] = complex(rng.NormFloat64(), 0)
	}
	got := append([]complex128(nil), x...)
	fft(got, a.twid)
	for k := range fftSize {
		var want complex128
		for n, v := range x {
			want += v * cmplx.Exp(complex(0, -2*math.Pi*float64(k*n)/fftSize))
		}
		if cmplx.Abs(got[k]-want) > 1e-9 {
			t.Fatalf("fft bin %d = %v, want %v", k, got[k], want)
		}
	}
}

func TestDeltaBIC(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	sample := func(mean float64, n int) *stats {
		var s stats
		x := make([]float64, numCeps)
		for range n {
			for i := range x {
				x[i] = mean + rng.NormFloat64()
			}
			s.add(x)
		}
		return &s
	}
	if d := deltaBIC(sample(0, 200), sample(0, 200), 1); d >= 0 {
		t.Errorf("ΔBIC of two samples of one Gaussian = %v, want < 0", d)
	}
	if d := deltaBIC(sample(0, 200), sample(1, 200), 1); d <= 0 {
		t.Errorf("ΔBIC of samples of Gaussians one σ apart = %v, want > 0", d)
	}
}

// BenchmarkStream reports how many times faster than real time one stream
// runs on one core.
func BenchmarkStream(b *testing.B) {
	audio, _ := conversation()
	d := New(DefaultParams())
	b.ResetTimer()
	for b.Loop() {
		st := d.Stream()
		for off := 0; off < len(audio); off += 1600 {
			st.Push(context.Background(), audio[off:min(off+1600, len(audio))])
		}
		st.Close()
	}
	sec := float64(len(audio)) / speech.SampleRate
	b.ReportMetric(sec*float64(b.N)/b.Elapsed().Seconds(), "x_realtime")
}
