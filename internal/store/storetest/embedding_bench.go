package storetest

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// BenchVector is the stored form of the i-th random unit vector of a
// benchmark: the same for every backend and every run.
func BenchVector(i, dims int) []byte {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	v := make([]float32, dims)
	for k := range v {
		v[k] = float32(r.NormFloat64())
	}
	search.Normalize(v)
	return search.EncodeVector(v)
}

// BenchNearest measures NearestEmbeddings for a player over n vectors
// of dims dimensions in one campaign of s, which fill stores (backend
// SQL: the store's API makes vectors only through entity writes, too
// slow for 100k). It runs twice over the same vectors: uncached (every
// lookup reads every vector) and cached (setCache gives the store's
// cache room for all of them). It reports the p95 of one lookup as
// p95-ms, and the first lookup, which fills the cache, as first-ms.
func BenchNearest(b *testing.B, s store.Store, setCache func(maxBytes int64), n, dims int, fill func(campaignID, model string, n, dims int)) {
	ctx := context.Background()
	c := mustCreateCampaign(b, s, mustCreateUser(b, s, "gm@example.com"), "Bench")
	fill(c.ID, "bench", n, dims)
	for _, mode := range []struct {
		name  string
		bytes int64
	}{{"uncached", 0}, {"cached", 1 << 30}} {
		b.Run(mode.name, func(b *testing.B) {
			setCache(mode.bytes)
			q := make([]float32, dims)
			r := rand.New(rand.NewPCG(1, 2))
			lookup := func() time.Duration {
				for k := range q {
					q[k] = float32(r.NormFloat64())
				}
				start := time.Now()
				ms, err := s.NearestEmbeddings(ctx, store.EmbeddingQuery{CampaignID: c.ID, Model: "bench", Vector: q, K: 20})
				took := time.Since(start)
				if err != nil || len(ms) != 20 {
					b.Fatalf("NearestEmbeddings = %d matches, %v", len(ms), err)
				}
				return took
			}
			// Reported after the loop: its start deletes metrics reported before.
			first := lookup()
			var took []time.Duration
			for b.Loop() {
				took = append(took, lookup())
			}
			slices.Sort(took)
			b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
