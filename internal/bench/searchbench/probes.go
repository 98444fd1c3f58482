package searchbench

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gmc-project/gmc/internal/search"
)

// probeTimer is a search.Source that times the store's lookups, to show
// where a search spends its time and how often the trigram fallback runs.
type probeTimer struct {
	search.Source
	mu    sync.Mutex
	names []string
	calls map[string]int
	total map[string]time.Duration
	// fallbacks are queries that needed the trigram fallback.
	fallbacks []string
}

func newProbeTimer(src search.Source) *probeTimer {
	return &probeTimer{Source: src, calls: map[string]int{}, total: map[string]time.Duration{}}
}

func (p *probeTimer) note(name string, start time.Time) {
	d := time.Since(start)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.calls[name] == 0 {
		p.names = append(p.names, name)
	}
	p.calls[name]++
	p.total[name] += d
}

// Gather times a Gatherer's one statement; on other sources it runs the
// probes one by one, each timed.
func (p *probeTimer) Gather(ctx context.Context, q search.GatherProbe) (search.Gathered, error) {
	g, ok := p.Source.(search.Gatherer)
	if !ok {
		return search.GatherEach(ctx, p, q)
	}
	defer p.note("one statement", time.Now())
	return g.Gather(ctx, q)
}

func (p *probeTimer) SearchKeys(ctx context.Context, q search.KeyProbe) ([]search.Hit, error) {
	defer p.note("keys", time.Now())
	return p.Source.SearchKeys(ctx, q)
}

func (p *probeTimer) SearchText(ctx context.Context, q search.TextProbe) ([]int64, error) {
	defer p.note("full text", time.Now())
	return p.Source.SearchText(ctx, q)
}

func (p *probeTimer) SearchTrigrams(ctx context.Context, q search.TrigramProbe) ([]int64, error) {
	defer p.note("trigram fallback", time.Now())
	p.mu.Lock()
	p.fallbacks = append(p.fallbacks, q.Text)
	p.mu.Unlock()
	return p.Source.SearchTrigrams(ctx, q)
}

func (p *probeTimer) SearchDocs(ctx context.Context, q search.DocsProbe) ([]search.Candidate, error) {
	defer p.note("documents", time.Now())
	return p.Source.SearchDocs(ctx, q)
}

// print writes each lookup's share of searches and mean time (under the
// run's concurrency, so waits for a connection or a core are included),
// and up to showFallbacks of the queries that needed the fallback.
func (p *probeTimer) print(w io.Writer, searches, showFallbacks int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.fallbacks) > 0 && showFallbacks > 0 {
		fmt.Fprintf(w, "    queries that needed the trigram fallback: %q\n", p.fallbacks[:min(len(p.fallbacks), showFallbacks)])
	}
	for _, name := range p.names {
		fmt.Fprintf(w, "    %-18s in %5.1f%% of searches, mean %s\n", name, 100*float64(p.calls[name])/float64(searches),
			ms(p.total[name]/time.Duration(p.calls[name])))
	}
}
