// Package overhead measures what a code path adds to a call it wraps: the
// wrapped call alone and the whole path run in turns, and the benchmark
// reports percentiles of their paired differences.
package overhead

import (
	"slices"
	"testing"
	"time"
)

// Measure runs raw and full once per b.Loop iteration and reports, in
// milliseconds, p50 and p99 of full minus raw (p50-overhead-ms,
// p99-overhead-ms) and p99 of each (p99-raw-ms, p99-<name>-ms). The order
// alternates, so that neither call always runs while the server still
// finishes the other.
func Measure(b *testing.B, name string, raw, full func()) {
	b.Helper()
	timed := func(f func()) time.Duration {
		t := time.Now()
		f()
		return time.Since(t)
	}
	var diffs, raws, fulls []time.Duration
	for i := 0; b.Loop(); i++ {
		var r, f time.Duration
		if i%2 == 0 {
			r, f = timed(raw), timed(full)
		} else {
			f, r = timed(full), timed(raw)
		}
		raws, fulls, diffs = append(raws, r), append(fulls, f), append(diffs, f-r)
	}
	if len(diffs) == 0 {
		return
	}
	b.ReportMetric(Percentile(diffs, 0.50), "p50-overhead-ms")
	b.ReportMetric(Percentile(diffs, 0.99), "p99-overhead-ms")
	b.ReportMetric(Percentile(raws, 0.99), "p99-raw-ms")
	b.ReportMetric(Percentile(fulls, 0.99), "p99-"+name+"-ms")
}

// Percentile returns the q-quantile (0..1) of d in milliseconds, by the
// nearest rank; d is not changed.
func Percentile(d []time.Duration, q float64) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(q*float64(len(s))))]) / float64(time.Millisecond)
}
