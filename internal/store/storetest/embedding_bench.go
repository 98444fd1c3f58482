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
// slow for 100k). It reports the p95 of one lookup as p95-ms.
func BenchNearest(b *testing.B, s store.Store, n, dims int, fill func(campaignID, model string, n, dims int)) {
	ctx := context.Background()
	c := mustCreateCampaign(b, s, mustCreateUser(b, s, "gm@example.com"), "Bench")
	fill(c.ID, "bench", n, dims)
	q := make([]float32, dims)
	r := rand.New(rand.NewPCG(1, 2))
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		for k := range q {
			q[k] = float32(r.NormFloat64())
		}
		start := time.Now()
		ms, err := s.NearestEmbeddings(ctx, store.EmbeddingQuery{CampaignID: c.ID, Model: "bench", Vector: q, K: 20})
		took = append(took, time.Since(start))
		if err != nil || len(ms) != 20 {
			b.Fatalf("NearestEmbeddings = %d matches, %v", len(ms), err)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
}
