package search

import (
	"context"
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

// segmentsByID is a SegmentSource that answers an IDs probe as the
// backends do: the listed segments it holds, no others.
type segmentsByID []SegmentCandidate

func (s segmentsByID) SearchSegments(_ context.Context, p SegmentProbe) ([]SegmentCandidate, error) {
	var out []SegmentCandidate
	for _, c := range s {
		if slices.Contains(p.IDs, c.SegmentID) {
			out = append(out, c)
		}
	}
	return out, nil
}

func TestAddSimilarSegments(t *testing.T) {
	src := segmentsByID{
		{SegmentID: "said", SessionID: "s1", SessionTitle: "One", SessionNumber: 1, Seq: 3, Text: "Good as new, the <dwarf> fixed my axe"},
		{SegmentID: "words", SessionID: "s1", SessionTitle: "One", SessionNumber: 1, Seq: 1, Text: "the dwarf at the forge"},
		{SegmentID: "later", SessionID: "s2", SessionTitle: "Two", SessionNumber: 2, Seq: 1, Text: "the axe is sharp again"},
		{SegmentID: "far", SessionID: "s2", SessionTitle: "Two", SessionNumber: 2, Seq: 2, Text: "goblins attack"},
	}
	segs, err := RunSegments(context.Background(), segments(src[1:2]), "c", false, "dwarf forge")
	if err != nil || len(segs.Items) != 1 {
		t.Fatalf("RunSegments = %+v, %v", segs, err)
	}
	lexical := segs.Items[0].Score
	near := []SimilarSegment{{"words", 0.95}, {"said", 0.9}, {"gone", 0.9}, {"later", 0.6}, {"far", MinSimilarity - 0.01}}
	if err := AddSimilarSegments(context.Background(), src, "c", false, segs, near); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range segs.Items {
		got = append(got, it.ID+"/"+string(it.Match))
	}
	// Found by words stays so, once; an id the source does not hold and
	// a line below the threshold are not matches.
	if want := []string{"words/fulltext", "said/semantic", "later/semantic"}; !slices.Equal(got, want) {
		t.Fatalf("items = %v, want %v", got, want)
	}
	if segs.Found != 3 {
		t.Errorf("Found = %d, want 3", segs.Found)
	}
	said := segs.Items[1]
	if said.Score >= lexical || said.Score >= tierFullText.score(0) || said.Score <= segs.Items[2].Score || segs.Items[2].Score <= 0 {
		t.Errorf("scores %v, %v below the lexical %v: want both under every match of words, the nearer first", said.Score, segs.Items[2].Score, lexical)
	}
	if said.Highlight != "Good as new, the &lt;dwarf&gt; fixed my axe" || said.Segment == nil || said.Segment.Seq != 3 || said.Segment.SessionID != "s1" {
		t.Errorf("line = %+v, want its escaped text unmarked and its place", said)
	}
}

func TestSemanticLineScoreBand(t *testing.T) {
	for _, sim := range []float64{MinSimilarity, 0.7, 1, 1.5} {
		if s := round3(semanticLineScore(sim)); s >= tierFullText.score(0) || s < semanticLineLo {
			t.Errorf("semanticLineScore(%v) = %v, want in [%v, %v)", sim, s, semanticLineLo, tierFullText.score(0))
		}
	}
}
