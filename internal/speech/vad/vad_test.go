package vad

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

const rate = 16000

// part is a stretch of a synthetic signal: speech-like sound or silence.
type part struct {
	ms    int
	sound bool
}

// voice is a speech-like sound: a 140 Hz buzz with formant-like
// harmonics, its loudness moving at a syllable rate (4 Hz) between full and
// a quarter, as a voice does within a word.
func voice(n int, offset int, amp float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		t := float64(offset+i) / rate
		env := 0.625 + 0.375*math.Sin(2*math.Pi*4*t)
		var v float64
		for h, a := range []float64{1, 0.6, 0.8, 0.4, 0.5, 0.2, 0.3} {
			v += a * math.Sin(2*math.Pi*140*float64(h+1)*t)
		}
		out[i] = float32(amp * env * v / 2.5)
	}
	return out
}

// brownNoise is leaky-integrated white noise (its power falls 6 dB an
// octave like sox's brownnoise) scaled to the given RMS.
func brownNoise(n int, rms float64, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]float32, n)
	var b, sum float64
	raw := make([]float64, n)
	for i := range raw {
		b = 0.998*b + rng.NormFloat64()
		raw[i] = b
		sum += b * b
	}
	scale := rms / math.Sqrt(sum/float64(n))
	for i, v := range raw {
		out[i] = float32(v * scale)
	}
	return out
}

// build lays the parts end to end and returns the signal with the sample
// ranges of its sounds.
func build(parts []part, amp float64) ([]float32, [][2]int) {
	var x []float32
	var sounds [][2]int
	for _, p := range parts {
		n := p.ms * rate / 1000
		if p.sound {
			sounds = append(sounds, [2]int{len(x), len(x) + n})
			x = append(x, voice(n, len(x), amp)...)
		} else {
			x = append(x, make([]float32, n)...)
		}
	}
	return x, sounds
}

// speechRMS is the RMS of the sounds of x, against which SNR is measured.
func speechRMS(x []float32, sounds [][2]int) float64 {
	var s float64
	var n int
	for _, r := range sounds {
		for _, v := range x[r[0]:r[1]] {
			s += float64(v) * float64(v)
		}
		n += r[1] - r[0]
	}
	return math.Sqrt(s / float64(n))
}

func mix(x, noise []float32) []float32 {
	out := make([]float32, len(x))
	for i := range x {
		out[i] = x[i] + noise[i]
	}
	return out
}

func detect(t testing.TB, cfg Config, x []float32, chunk int) []Utterance {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []Utterance
	for len(x) > 0 {
		n := min(chunk, len(x))
		out = append(out, d.Write(x[:n])...)
		x = x[n:]
	}
	return append(out, d.Flush()...)
}

func abs(x int64) int64 { return max(x, -x) }

type span struct{ StartMS, EndMS int64 }

func spans(us []Utterance) []span {
	out := make([]span, len(us))
	for i, u := range us {
		out[i] = span{u.StartMS, u.EndMS}
	}
	return out
}

func TestCutPoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		parts []part
		want  []span // as sound times; the test adds pre- and post-roll
		tolMS int64  // 20 (two frames) unless set
	}{
		{"one word", []part{{1000, false}, {600, true}, {1000, false}}, []span{{1000, 1600}}, 0},
		{"200 ms pause does not cut", []part{{500, false}, {800, true}, {200, false}, {900, true}, {700, false}}, []span{{500, 2400}}, 0},
		{"400 ms pause cuts", []part{{500, false}, {800, true}, {400, false}, {900, true}, {700, false}}, []span{{500, 1300}, {1700, 2600}}, 0},
		// Before hearing any quiet the detector assumes a floor of -50 dB, so
		// the quiet end of the first word (12 dB under its peak) may leave the
		// speech a few frames early; the post-roll still covers it.
		{"speech from the first sample", []part{{700, true}, {1000, false}, {500, true}, {500, false}}, []span{{0, 700}, {1700, 2200}}, 50},
		{"speech to the last sample", []part{{1000, false}, {800, true}}, []span{{1000, 1800}}, 0},
		{"100 ms blip dropped", []part{{1000, false}, {100, true}, {1000, false}, {400, true}, {600, false}}, []span{{2100, 2500}}, 0},
		{"200 ms word kept", []part{{1000, false}, {200, true}, {1000, false}}, []span{{1000, 1200}}, 0},
		{"pre-roll stops at the last utterance", []part{{500, false}, {500, true}, {330, false}, {500, true}, {500, false}}, []span{{500, 1000}, {1330, 1830}}, 0},
	}
	for _, noisy := range []bool{false, true} {
		for _, tc := range tests {
			name := tc.name + " clean"
			if noisy {
				name = tc.name + " in brown noise at 20 dB SNR"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				x, sounds := build(tc.parts, 0.3)
				if noisy {
					x = mix(x, brownNoise(len(x), speechRMS(x, sounds)/10, 7))
				}
				got := spans(detect(t, Config{}, x, len(x)))
				total := int64(len(x) * 1000 / rate)
				var want []span
				var lastEnd int64
				for _, w := range tc.want {
					s := span{max(w.StartMS-200, 0, lastEnd), min(w.EndMS+200, total)}
					want = append(want, s)
					lastEnd = s.EndMS
				}
				if len(got) != len(want) {
					t.Fatalf("utterances %v, want about %v", got, want)
				}
				tol := cmp.Or(tc.tolMS, 20)
				for i := range want {
					if abs(got[i].StartMS-want[i].StartMS) > tol || abs(got[i].EndMS-want[i].EndMS) > tol {
						t.Fatalf("utterances %v, want %v within %d ms", got, want, tol)
					}
				}
			})
		}
	}
}

// TestMaxUtterance streams 40 s of speech without a pause long enough to
// cut: it must come out in pieces of at most 15 s that tile the speech.
func TestMaxUtterance(t *testing.T) {
	t.Parallel()
	var parts []part
	parts = append(parts, part{500, false})
	for range 100 {
		parts = append(parts, part{330, true}, part{70, false})
	}
	parts = append(parts, part{500, false})
	x, sounds := build(parts, 0.3)
	x = mix(x, brownNoise(len(x), 0.001, 3))
	us := detect(t, Config{}, x, 1234)
	// Forced cuts go at the quietest moment, which here is a gap between words.
	for _, u := range us[1:] {
		cut := int(u.StartMS) * rate / 1000
		for _, r := range sounds {
			if cut > r[0]+rate/100 && cut < r[1]-rate/100 {
				t.Errorf("cut at %d ms falls inside the word at %d–%d ms", u.StartMS, r[0]*1000/rate, r[1]*1000/rate)
			}
		}
	}
	if len(us) < 3 {
		t.Fatalf("40 s of speech gave %d utterances %v, want at least 3", len(us), spans(us))
	}
	for i, u := range us {
		if u.EndMS-u.StartMS > 15000 || len(u.Samples) > 15*rate {
			t.Errorf("utterance %d lasts %d ms", i, u.EndMS-u.StartMS)
		}
		if int64(len(u.Samples)) != (u.EndMS-u.StartMS)*rate/1000 {
			t.Errorf("utterance %d has %d samples for %d ms", i, len(u.Samples), u.EndMS-u.StartMS)
		}
		if i > 0 && u.StartMS != us[i-1].EndMS {
			t.Errorf("utterance %d starts at %d ms, the one before ended at %d ms", i, u.StartMS, us[i-1].EndMS)
		}
	}
	if first, last := us[0].StartMS, us[len(us)-1].EndMS; first > 320 || last < 40500 {
		t.Errorf("utterances cover %d–%d ms, want about 300–40700", first, last)
	}
}

func TestChunkSizeIndependence(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	var parts []part
	for range 30 {
		parts = append(parts, part{50 + rng.IntN(1500), rng.IntN(2) == 0})
	}
	x, _ := build(parts, 0.2)
	x = mix(x, brownNoise(len(x), 0.004, 5))
	whole := detect(t, Config{MaxUtterance: 3 * 1e9}, x, len(x))
	if len(whole) < 3 {
		t.Fatalf("only %d utterances; the test needs several", len(whole))
	}
	for _, chunk := range []int{160, 1, 999, 16000} {
		got := detect(t, Config{MaxUtterance: 3 * 1e9}, x, chunk)
		if diff := gocmp.Diff(spans(whole), spans(got)); diff != "" {
			t.Errorf("chunks of %d samples cut differently from one chunk (-one +chunked):\n%s", chunk, diff)
			continue
		}
		for i := range whole {
			if !slices.Equal(whole[i].Samples, got[i].Samples) {
				t.Errorf("chunks of %d samples: utterance %d has other samples than with one chunk", chunk, i)
			}
		}
	}
}

func TestSilence(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 9))
	hiss := make([]float32, 5*rate)
	for i := range hiss {
		hiss[i] = float32(rng.NormFloat64() * 1e-4) // -80 dBFS
	}
	for name, x := range map[string][]float32{
		"digital silence":    make([]float32, 5*rate),
		"faint hiss":         hiss,
		"steady brown noise": brownNoise(10*rate, 0.05, 11),
	} {
		if got := detect(t, Config{}, x, 4000); len(got) != 0 {
			t.Errorf("%s gave utterances %v", name, spans(got))
		}
	}
}

// TestNoiseRises makes the background 26 dB louder for good: the floor
// must follow it, so that the noise is not speech for long and a word
// spoken over it later is still found.
func TestNoiseRises(t *testing.T) {
	t.Parallel()
	x, _ := build([]part{{12000, false}, {600, true}, {1000, false}}, 0.3)
	quiet, loud := brownNoise(2*rate, 0.001, 1), brownNoise(len(x)-2*rate, 0.02, 2)
	x = mix(x, append(quiet, loud...))
	us := detect(t, Config{}, x, 800)
	// The floor cannot rise before the quiet frames leave its window, and
	// then rises at FloorRise: the noise may pass for speech until about
	// 2 s + 1.5 s + 26 dB / (10 dB/s), plus a pause and the post-roll.
	cfg := DefaultConfig()
	adapted := 2000 + cfg.FloorWindow.Milliseconds() + int64(26/cfg.FloorRise*1000) + 500
	if len(us) == 0 || us[len(us)-1].StartMS > 12000 || us[len(us)-1].EndMS < 12600 {
		t.Fatalf("utterances %v, want the last about 11800–12800", spans(us))
	}
	for _, u := range us[:len(us)-1] {
		if u.EndMS > adapted {
			t.Errorf("utterances %v: noise still taken for speech at %d ms, want the floor adapted by %d ms", spans(us), u.EndMS, adapted)
		}
	}
}

func TestNaNDoesNotStick(t *testing.T) {
	t.Parallel()
	x, _ := build([]part{{1000, false}, {600, true}, {1000, false}}, 0.3)
	x[100] = float32(math.NaN())
	x[200] = float32(math.Inf(1))
	if got := spans(detect(t, Config{}, x, 3200)); len(got) != 1 || abs(got[0].StartMS-800) > 20 {
		t.Fatalf("utterances %v after a NaN, want one from about 800 ms", got)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{
		{SampleRate: 100}, {Frame: 1}, {PostRoll: 1e9}, {MaxUtterance: 1e9}, {OnsetDB: 3, ActiveDB: 6}, {FloorRise: -1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) = nil error", cfg)
		}
	}
}

func BenchmarkDetector(b *testing.B) {
	var parts []part
	for range 30 {
		parts = append(parts, part{1500, true}, part{500, false})
	}
	x, _ := build(parts, 0.2)
	x = mix(x, brownNoise(len(x), 0.004, 5))
	b.SetBytes(int64(len(x) * 4))
	d, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for i := 0; i < len(x); i += 320 {
			d.Write(x[i:min(i+320, len(x))])
		}
		d.Flush()
	}
	b.ReportMetric(float64(len(x))/rate*float64(b.N)/b.Elapsed().Seconds(), "x-real-time")
}
