//go:build unix

package pocketsphinx

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/speech"
)

// BenchmarkRecognize reports the real-time factor on about 8 s of speech:
// xRT by the wall clock, cpu-xRT by the process's CPU time, which is the
// fairer figure on a shared machine (the decoder runs on one thread).
func BenchmarkRecognize(b *testing.B) {
	samples := synth(b, "flite", "the party walks into the old tavern at the edge of the village, "+
		"where the innkeeper tells them about the goblins in the hills and the dragon that burned the mill last winter")
	// A campaign's worth of invented names, for the cost of the names
	// model the search then interpolates with the stock one.
	var names []string
	for _, a := range []string{"bra", "dor", "kel", "mir", "thu", "zan", "vel", "gor"} {
		for _, c := range []string{"ax", "ith", "oon", "el", "ar", "is", "un", "ow"} {
			names = append(names, a+"v"+c)
		}
	}
	for _, bc := range []struct {
		name  string
		cfg   Config
		hints speech.Hints
	}{
		{"alternatives", Config{}, speech.Hints{}},
		{"best-only", Config{MaxAlternatives: -1}, speech.Hints{}},
		// CMU's speed advice, to weigh against the default.
		{"bounded-3000-5", Config{MaxHMMsPerFrame: 3000, MaxWordsPerFrame: 5}, speech.Hints{}},
		{"names-64", Config{AddNames: true}, speech.Hints{Names: names}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := mustNew(b, bc.cfg)
			if bc.cfg.AddNames {
				withSharedLTS(b, r)
			}
			// The names are added by the first call, not measured.
			if _, err := r.Recognize(context.Background(), samples[:speech.SampleRate], bc.hints); err != nil {
				b.Fatal(err)
			}
			benchRecognize(b, r, samples, bc.hints)
		})
	}
}

func benchRecognize(b *testing.B, r *Recognizer, samples []float32, hints speech.Hints) {
	audio := float64(len(samples)) / speech.SampleRate
	cpu0, wall0 := cpuTime(), time.Now()
	for b.Loop() {
		if _, err := r.Recognize(context.Background(), samples, hints); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(time.Since(wall0).Seconds()/n/audio, "xRT")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/n/audio, "cpu-xRT")
	b.ReportMetric(audio, "audio-s")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
