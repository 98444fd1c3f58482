package searchbench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// depth is how many results a system returns for scoring: MRR counts a
// target found below it as not found.
const depth = 10

// system is a way of searching: gmc's search or a baseline.
type system struct {
	name string
	run  func(ctx context.Context, l *loaded, q string) ([]string, error)
}

// systems returns gmc's search, looking up through src, and the baselines.
func (b *backend) systems(src search.Source) []system {
	out := []system{{"gmc search", func(ctx context.Context, l *loaded, q string) ([]string, error) {
		// As the service searches: as a member, whose membership and
		// role a Gatherer checks in its one statement.
		req := search.Request{Filter: search.Filter{Scope: l.campaignID}, Query: q, Limit: depth}
		if _, ok := b.st.(search.Gatherer); ok {
			req.Member = l.member
		}
		res, err := search.Run(ctx, src, req)
		if err != nil {
			return nil, err
		}
		refs := make([]string, len(res.Items))
		for i, it := range res.Items {
			refs[i] = it.Type + "/" + it.ID
		}
		return refs, nil
	}}, {"ILIKE '%q%'", func(ctx context.Context, l *loaded, q string) ([]string, error) {
		return b.st.BaselineContains(ctx, l.campaignID, q, depth)
	}}}
	// PostgreSQL ranks with pg_trgm, SQLite with its FTS5 trigram index.
	if tb, ok := b.st.(store.TrigramBaseline); ok {
		out = append(out, system{trigramSystem(b.name), func(ctx context.Context, l *loaded, q string) ([]string, error) {
			return tb.BaselineSimilar(ctx, l.campaignID, q, depth)
		}})
	}
	return out
}

// trigramSystem names the trigram baseline of a backend.
func trigramSystem(backend string) string {
	if backend == "sqlite" {
		return "FTS5 trigram"
	}
	return "pg_trgm similarity"
}

// score accumulates recall@1, recall@5 and mean reciprocal rank.
type score struct {
	n, at1, at5 int
	rr          float64
}

func (s *score) add(rank int) {
	s.n++
	if rank == 1 {
		s.at1++
	}
	if rank >= 1 && rank <= 5 {
		s.at5++
	}
	if rank >= 1 {
		s.rr += 1 / float64(rank)
	}
}

func (s score) ratios() (r1, r5, mrr float64) {
	if s.n == 0 {
		return 0, 0, 0
	}
	n := float64(s.n)
	return float64(s.at1) / n, float64(s.at5) / n, s.rr / n
}

// rankOf returns the 1-based rank of target in refs, or 0.
func rankOf(refs []string, target string) int {
	if i := slices.Index(refs, target); i >= 0 {
		return i + 1
	}
	return 0
}

// result is what one system did on one query set.
type result struct {
	total     score
	byKind    map[string]*score
	latencies []time.Duration
	wall      time.Duration
}

// run searches every query with concurrency workers and scores the answers.
func run(ctx context.Context, sys system, l *loaded, qs []query, concurrency int) (*result, error) {
	res := &result{byKind: map[string]*score{}, latencies: make([]time.Duration, len(qs))}
	ranks := make([]int, len(qs))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for range concurrency {
		wg.Go(func() {
			for i := range next {
				t := time.Now()
				refs, err := sys.run(ctx, l, qs[i].text)
				res.latencies[i] = time.Since(t)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					continue
				}
				ranks[i] = rankOf(refs, l.refs[qs[i].target])
			}
		})
	}
	for i := range qs {
		next <- i
	}
	close(next)
	wg.Wait()
	res.wall = time.Since(start)
	if firstErr != nil {
		return nil, fmt.Errorf("%s: %w", sys.name, firstErr)
	}
	for i, q := range qs {
		res.total.add(ranks[i])
		if res.byKind[q.kind] == nil {
			res.byKind[q.kind] = &score{}
		}
		res.byKind[q.kind].add(ranks[i])
	}
	return res, nil
}

// percentile returns the p-th percentile (0..100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(sorted)-1))
	return sorted[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// printQuality writes one data set's quality table, with the gmc search's
// figures per kind of error.
func printQuality(w io.Writer, l *loaded, nq int, results []*result, systems []system) {
	fmt.Fprintf(w, "\nquality: %s (%d entities, %d queries)\n", l.label, len(l.entities), nq)
	fmt.Fprintf(w, "  %-20s %9s %9s %7s\n", "system", "recall@1", "recall@5", "MRR")
	for i, r := range results {
		r1, r5, mrr := r.total.ratios()
		fmt.Fprintf(w, "  %-20s %9.3f %9.3f %7.3f\n", systems[i].name, r1, r5, mrr)
	}
	fmt.Fprintf(w, "  by error (gmc search vs the trigram baseline):\n")
	kinds := append([]string{errExact}, errorKinds...)
	for _, k := range kinds {
		s := results[0].byKind[k]
		if s == nil {
			continue
		}
		r1, r5, mrr := s.ratios()
		other := results[len(results)-1].byKind[k]
		o1, o5, _ := other.ratios()
		fmt.Fprintf(w, "    %-14s n=%-4d r@1 %.3f r@5 %.3f MRR %.3f   (%s: r@1 %.3f r@5 %.3f)\n", k, s.n, r1, r5, mrr, systems[len(results)-1].name, o1, o5)
	}
}

// printSpeed writes latency percentiles and throughput.
func printSpeed(w io.Writer, name string, r *result) {
	sorted := slices.Clone(r.latencies)
	slices.Sort(sorted)
	_, r5, _ := r.total.ratios()
	qps := float64(len(sorted)) / r.wall.Seconds()
	fmt.Fprintf(w, "  %-20s p50 %9s  p95 %9s  p99 %9s  max %9s  %7.0f q/s  recall@5 %.3f\n",
		name, ms(percentile(sorted, 50)), ms(percentile(sorted, 95)), ms(percentile(sorted, 99)), ms(sorted[len(sorted)-1]), qps, r5)
}

// printRatios writes gmc's search against each baseline of the same run:
// throughput and p95 latency as ratios, which carry between machines
// where absolute figures do not.
func printRatios(w io.Writer, names []string, results []*result) {
	if len(results) < 2 {
		return
	}
	qps := func(r *result) float64 { return float64(len(r.latencies)) / r.wall.Seconds() }
	p95 := func(r *result) time.Duration {
		sorted := slices.Clone(r.latencies)
		slices.Sort(sorted)
		return percentile(sorted, 95)
	}
	for i := 1; i < len(results); i++ {
		fmt.Fprintf(w, "  %s vs %s: q/s %.2f×, p95 %.2f×\n", names[0], names[i],
			qps(results[0])/qps(results[i]), float64(p95(results[0]))/float64(p95(results[i])))
	}
}

// showMisses prints up to n queries whose target sys did not rank first,
// with what it ranked above it.
func showMisses(ctx context.Context, w io.Writer, sys system, l *loaded, qs []query, n int) error {
	names := map[string]string{}
	for i, ref := range l.refs {
		names[ref] = l.entities[i].name
	}
	for _, q := range qs {
		if n == 0 {
			return nil
		}
		refs, err := sys.run(ctx, l, q.text)
		if err != nil {
			return err
		}
		target := l.refs[q.target]
		if rank := rankOf(refs, target); rank != 1 {
			n--
			var got []string
			for _, r := range refs[:min(len(refs), 3)] {
				got = append(got, names[r])
			}
			fmt.Fprintf(w, "    miss (%s) %q for %q: rank %d, got %q\n", q.kind, q.text, l.entities[q.target].name, rank, got)
		}
	}
	return nil
}
