package audio

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// measured is the middle of a resampled signal, away from the start and
// end where the tone switches on and off.
func measured(x []float32, rate int) []float32 {
	return x[rate/10 : len(x)-rate/10]
}

func TestResamplePassband(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, out int
		freq    float64
	}{
		{48000, 16000, 1000}, {44100, 16000, 1000}, {22050, 16000, 1000}, {8000, 16000, 1000},
		{11025, 16000, 1000}, {44056, 16000, 1000}, {96000, 16000, 1000}, {48000, 16000, 6000},
	} {
		t.Run(fmt.Sprintf("%d to %d Hz %g Hz tone", tc.in, tc.out, tc.freq), func(t *testing.T) {
			t.Parallel()
			out, err := Resample(tone(tc.in, tc.in, tc.freq, 0.5), tc.in, tc.out)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != tc.out {
				t.Fatalf("Resample(1 s at %d Hz) gave %d samples, want %d", tc.in, len(out), tc.out)
			}
			mid := measured(out, tc.out)
			level := toneLevel(mid, tc.out, tc.freq)
			if d := db(level / 0.5); math.Abs(d) > 0.5 {
				t.Errorf("%d→%d Hz: %.0f Hz tone changed level by %.3f dB", tc.in, tc.out, tc.freq, d)
			}
			// The tone is at the same frequency when almost all the energy
			// is in its bin (a shifted frequency would leak out of it).
			if residue := db(math.Sqrt(math.Max(rms(mid)*rms(mid)-level*level/2, 1e-20)) / (level / math.Sqrt2)); residue > -60 {
				t.Errorf("%d→%d Hz: %.1f dB of the output is not the %.0f Hz tone", tc.in, tc.out, residue, tc.freq)
			}
			t.Logf("%d→%d Hz, %.0f Hz tone: level %+.4f dB", tc.in, tc.out, tc.freq, db(level/0.5))
		})
	}
}

func TestResampleStopband(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   int
		freq float64
	}{
		{48000, 10000}, {48000, 8200}, {44100, 10000}, {44100, 15000}, {96000, 30000}, {22050, 9000}, {44056, 10000},
	} {
		t.Run(fmt.Sprintf("%d Hz %g Hz tone", tc.in, tc.freq), func(t *testing.T) {
			t.Parallel()
			out, err := Resample(tone(tc.in, tc.in, tc.freq, 0.5), tc.in, 16000)
			if err != nil {
				t.Fatal(err)
			}
			att := db(rms(measured(out, 16000)) / (0.5 / math.Sqrt2))
			if att > -60 {
				t.Errorf("%d→16000 Hz: %.0f Hz tone only attenuated to %.1f dB", tc.in, tc.freq, att)
			}
			t.Logf("%d→16000 Hz: %.0f Hz tone at %.1f dB", tc.in, tc.freq, att)
		})
	}
}

// TestResamplerStreaming feeds the same signal in chunks of random sizes:
// chunk boundaries must leave no trace.
func TestResamplerStreaming(t *testing.T) {
	t.Parallel()
	for _, in := range []int{48000, 44100, 8000, 44056, 16000} {
		t.Run(fmt.Sprintf("%d Hz", in), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(in), 1))
			x := tone(3*in/2, in, 523, 0.7)
			for i := range x {
				x[i] += float32(rng.NormFloat64() * 0.05)
			}
			want, err := Resample(x, in, 16000)
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewResampler(in, 16000)
			if err != nil {
				t.Fatal(err)
			}
			for round := range 2 { // a second stream after Flush starts afresh
				var got []float32
				for rest := x; len(rest) > 0; {
					n := min(len(rest), rng.IntN(700))
					got = r.Append(got, rest[:n])
					rest = rest[n:]
				}
				got = r.Flush(got)
				if len(got) != len(want) {
					t.Fatalf("round %d: streaming gave %d samples, one-shot %d", round, len(got), len(want))
				}
				for i := range want {
					if math.Abs(float64(got[i]-want[i])) > 1e-6 {
						t.Fatalf("round %d: sample %d streamed %v, one-shot %v", round, i, got[i], want[i])
					}
				}
			}
		})
	}
}

func TestResampleDC(t *testing.T) {
	t.Parallel()
	x := make([]float32, 44100)
	for i := range x {
		x[i] = 0.25
	}
	out, err := Resample(x, 44100, 16000)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out[200 : len(out)-200] {
		if math.Abs(float64(v)-0.25) > 1e-5 {
			t.Fatalf("sample %d of a constant 0.25 = %v", i+200, v)
		}
	}
}

func TestNewResamplerRejectsBadRates(t *testing.T) {
	t.Parallel()
	for _, rates := range [][2]int{{0, 16000}, {16000, 0}, {-1, 16000}} {
		if _, err := NewResampler(rates[0], rates[1]); err == nil {
			t.Errorf("NewResampler(%d, %d) = nil error", rates[0], rates[1])
		}
	}
}

func BenchmarkResample(b *testing.B) {
	x := tone(60*44100, 44100, 440, 0.5)
	b.SetBytes(int64(len(x) * 4))
	for b.Loop() {
		if _, err := Resample(x, 44100, 16000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(60*float64(b.N)/b.Elapsed().Seconds(), "x-real-time")
}
