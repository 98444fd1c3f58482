package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestNearest(t *testing.T) {
	cases := []struct {
		k    int
		sims []float64
		want []float64
	}{
		{3, []float64{0.1, 0.9, 0.5, 0.7, 0.2}, []float64{0.9, 0.7, 0.5}},
		{10, []float64{0.3, -0.2}, []float64{0.3, -0.2}},
		{0, []float64{0.3}, []float64{}},
	}
	for _, tc := range cases {
		n := NewNearest[int](tc.k)
		for i, s := range tc.sims {
			n.Offer(i, s)
		}
		_, got := n.Best()
		if !slices.Equal(got, tc.want) {
			t.Errorf("k=%d of %v = %v, want %v", tc.k, tc.sims, got, tc.want)
		}
	}
}

func TestDot(t *testing.T) {
	a := []float32{3, 4}
	Normalize(a)
	b := []float32{4, 3}
	Normalize(b)
	if got := Dot(a, EncodeVector(b)); got < 0.959 || got > 0.961 {
		t.Errorf("cos = %v, want 0.96", got)
	}
	if got := Dot(a, EncodeVector([]float32{1, 0, 0})); got != -2 {
		t.Errorf("cos of vectors of other lengths = %v, want -2", got)
	}
}

func TestSemanticScoreBand(t *testing.T) {
	lo, _ := tierFuzzy.band()
	for _, sim := range []float64{MinSimilarity, 0.6, 0.9, 1, 1.5} {
		if s := semanticScore(sim); s >= lo || s < semanticLo {
			t.Errorf("semanticScore(%v) = %v, want in [%v, %v)", sim, s, semanticLo, lo)
		}
	}
	if semanticScore(0.9) <= semanticScore(0.6) {
		t.Error("a closer meaning does not score higher")
	}
}

// BenchmarkNearestCompute is the arithmetic of a lookup alone: a query
// against n stored vectors of 768 dimensions held in memory, top 20.
func BenchmarkNearestCompute(b *testing.B) {
	const dims = 768
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			stored := make([][]byte, n)
			v := make([]float32, dims)
			for i := range stored {
				for k := range v {
					v[k] = float32(r.NormFloat64())
				}
				Normalize(v)
				stored[i] = EncodeVector(v)
			}
			q := make([]float32, dims)
			for k := range q {
				q[k] = float32(r.NormFloat64())
			}
			Normalize(q)
			for b.Loop() {
				best := NewNearest[int](20)
				for i, s := range stored {
					best.Offer(i, Dot(q, s))
				}
				best.Best()
			}
		})
	}
}
