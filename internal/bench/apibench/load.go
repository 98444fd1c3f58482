package apibench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// request builds the i-th request of a run; i counts across all clients,
// so that writes can name what they create uniquely.
type request func(i int64) (*http.Request, error)

// stats are one timed run of one target.
type stats struct {
	requests      int
	errors        int
	firstError    string
	rps           float64
	p50, p95, p99 time.Duration
}

// drive sends requests from clients goroutines, each waiting for its
// answer before sending the next (a closed loop, as hey does), for d, and
// times every answer read to its end.
func drive(ctx context.Context, client *http.Client, clients int, d time.Duration, req request) stats {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var seq atomic.Int64
	lat := make([][]time.Duration, clients)
	errs := make([]int, clients)
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				r, err := req(seq.Add(1))
				if err != nil {
					firstErr.CompareAndSwap(nil, err.Error())
					errs[w]++
					continue
				}
				t := time.Now()
				resp, err := client.Do(r.WithContext(ctx))
				if err != nil {
					if ctx.Err() == nil {
						firstErr.CompareAndSwap(nil, err.Error())
						errs[w]++
					}
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if ctx.Err() != nil {
					break // cut short by the end of the run: not counted
				}
				if err != nil || resp.StatusCode/100 != 2 {
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s %s: status %d %v", r.Method, r.URL.Path, resp.StatusCode, err))
					errs[w]++
					continue
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	s := stats{requests: len(all), rps: float64(len(all)) / elapsed.Seconds()}
	for _, e := range errs {
		s.errors += e
	}
	if v, ok := firstErr.Load().(string); ok {
		s.firstError = v
	}
	if len(all) > 0 {
		s.p50, s.p95, s.p99 = quantile(all, 0.50), quantile(all, 0.95), quantile(all, 0.99)
	}
	return s
}

// quantile is the q-quantile of sorted by the nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// median of xs; xs is not changed.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
