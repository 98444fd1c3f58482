package search

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"math"
	"slices"
	"strings"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// MatchSemantic is a document found by the meaning of the query rather
// than its words: its embedding is close to the query's.
const MatchSemantic Match = "semantic"

// Semantic finds the documents of f whose meaning is closest to query.
// It is optional: without it (no embeddings server) search is lexical.
type Semantic interface {
	SimilarDocs(ctx context.Context, f Filter, query string, limit int) ([]SimilarDoc, error)
}

// SimilarDoc is one document near the query, Similarity the cosine of
// the angle between their embeddings.
type SimilarDoc struct {
	DocID      int64
	Similarity float64
}

// Semantic ranking. A semantic match scores in a band below every name
// match of a fuzzy tier or better, so it never outranks an exact, prefix
// or typo match of a name; within the band it may pass a weak full-text
// match. Documents below MinSimilarity are not matches at all.
const (
	semanticLo = 0.10
	semanticHi = 0.55
	// MinSimilarity is the cosine below which a document is taken as
	// unrelated to the query.
	MinSimilarity = 0.45
	// semanticLimit is how many near documents one search asks for.
	semanticLimit = 20
)

func semanticScore(sim float64) float64 {
	f := (sim - MinSimilarity) / (1 - MinSimilarity)
	return semanticLo + (semanticHi-semanticLo)*min(max(f, 0), 1)
}

// blendSemantic adds to found the documents sem finds near the query:
// a document found both ways keeps the better score; one found only by
// meaning is loaded through src (whose filter is the visibility rule
// once more) and ranked as a semantic match.
func blendSemantic(ctx context.Context, src Source, sem Semantic, req Request, found []ranked) ([]ranked, error) {
	if sem == nil {
		return found, nil
	}
	near, err := sem.SimilarDocs(ctx, req.Filter, req.Query, semanticLimit)
	if err != nil {
		return nil, err
	}
	at := make(map[int64]int, len(found))
	for i, r := range found {
		at[r.c.DocID] = i
	}
	sims := map[int64]float64{}
	var load []int64
	for _, n := range near {
		if n.Similarity < MinSimilarity {
			continue
		}
		s := semanticScore(n.Similarity)
		if i, ok := at[n.DocID]; ok {
			if s > found[i].score {
				found[i].score, found[i].tier, found[i].semantic = s, tierFullText, true
			}
			continue
		}
		if _, dup := sims[n.DocID]; !dup {
			load = append(load, n.DocID)
		}
		sims[n.DocID] = s
	}
	if len(load) == 0 {
		return found, nil
	}
	cands, err := src.SearchDocs(ctx, DocsProbe{Filter: req.Filter, IDs: load})
	if err != nil {
		return nil, err
	}
	for i := range cands {
		c := &cands[i]
		if c.GMOnly && !req.GM {
			continue // the source filters already; a second lock on the same door
		}
		found = append(found, ranked{c: c, tier: tierFullText, score: sims[c.DocID], semantic: true, highlight: escapeHTML(c.Context)})
	}
	return found, nil
}

// SimilarSegment is a transcript segment near the query in meaning,
// Similarity the cosine of the angle between their embeddings.
type SimilarSegment struct {
	SegmentID  string
	Similarity float64
}

// A line found by its meaning alone scores in a band below every lexical
// match, of a name or of a text (the full-text tier starts at 0.10): the
// words said are the stronger evidence, and such a line stands after the
// entity it speaks of, never before it.
const (
	semanticLineLo = 0.01
	semanticLineHi = 0.10
)

func semanticLineScore(sim float64) float64 {
	f := (sim - MinSimilarity) / (1 - MinSimilarity)
	// A hair below hi, so that rounding keeps the best line under 0.10.
	return semanticLineLo + (semanticLineHi-semanticLineLo)*min(max(f, 0), 1)*0.99
}

// AddSimilarSegments adds to segs the segments of campaign near the query
// in meaning that its words did not find (a segment found both ways is
// the lexical match it already is). They are loaded through src, which
// keeps only segments of campaign, as a lexical probe does; each shows
// the start of its line, with nothing marked since no word matched, and
// ranks below every lexical match. Segments below MinSimilarity are not
// matches.
func AddSimilarSegments(ctx context.Context, src SegmentSource, campaign string, gm bool, segs *SegmentResult, near []SimilarSegment) error {
	found := make(map[string]bool, len(segs.Items))
	for _, it := range segs.Items {
		found[it.ID] = true
	}
	sims := map[string]float64{}
	var ids []string
	for _, n := range near {
		if _, dup := sims[n.SegmentID]; dup || n.Similarity < MinSimilarity || found[n.SegmentID] {
			continue
		}
		ids, sims[n.SegmentID] = append(ids, n.SegmentID), n.Similarity
	}
	if len(ids) == 0 {
		return nil
	}
	cands, err := src.SearchSegments(ctx, SegmentProbe{Campaign: campaign, GM: gm, IDs: ids, Limit: len(ids)})
	if err != nil {
		return err
	}
	added := make([]Item, 0, len(cands))
	for i := range cands {
		c := &cands[i]
		sim, ok := sims[c.SegmentID]
		if !ok {
			continue // not asked for: the source must not add any
		}
		added = append(added, segmentItem(c, semanticLineScore(sim), MatchSemantic, lineStart(cutAt(c.Text, textScanBytes))))
	}
	// Equal scores: the latest session first, then the order of speech,
	// as for lexical matches.
	slices.SortFunc(added, func(a, b Item) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Segment.SessionNumber, a.Segment.SessionNumber); c != 0 {
			return c
		}
		if c := strings.Compare(a.Segment.SessionID, b.Segment.SessionID); c != 0 {
			return c
		}
		return cmp.Compare(a.Segment.Seq, b.Segment.Seq)
	})
	// Every lexical score is above the band, so appending keeps the
	// items ordered by score.
	segs.Items = append(segs.Items, added...)
	segs.Found += len(added)
	return nil
}

// lineStart is the snippet of a line that matched no word: its start,
// escaped, nothing marked.
func lineStart(text string) string {
	toks := textmatch.Tokenize(text)
	if len(toks) == 0 {
		return markSpans(cutAt(text, snippetAfter), nil)
	}
	return segmentSnippet(text, toks, 0, nil)
}

func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// EmbedText is the text of d whose meaning is embedded: what every member
// who may see the entity may read (never its GM-only text, so that no
// vector carries a secret). The backends build the same text in SQL for
// documents indexed before embeddings existed; keep the two alike.
func EmbedText(d Document) string {
	return d.Name + "\n" + strings.Join(d.Aliases, ", ") + "\n" + d.Context + "\n" + cutText(d.Text)
}

// Normalize scales v to unit length in place, so that cosine similarity
// is a dot product; a zero vector stays zero.
func Normalize(v []float32) {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(n))
	for i := range v {
		v[i] *= inv
	}
}

// EncodeVector is v as little-endian float32 bytes, the stored form.
func EncodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// Dot is the dot product of the unit vector q and the stored vector b
// (EncodeVector of a unit vector): their cosine similarity. A b of
// another length is -2, below any cosine.
func Dot(q []float32, b []byte) float64 {
	if len(b) != 4*len(q) {
		return -2
	}
	var s float32
	for i, x := range q {
		s += x * math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return float64(s)
}

// Nearest keeps the k best of the similarities it is offered.
type Nearest[T any] struct {
	k int
	h nearHeap[T]
}

// NewNearest keeps the k best.
func NewNearest[T any](k int) *Nearest[T] { return &Nearest[T]{k: k} }

// Offer considers item with similarity sim.
func (n *Nearest[T]) Offer(item T, sim float64) {
	if n.k <= 0 {
		return
	}
	if len(n.h) < n.k {
		heap.Push(&n.h, near[T]{item, sim})
		return
	}
	if sim > n.h[0].sim {
		n.h[0] = near[T]{item, sim}
		heap.Fix(&n.h, 0)
	}
}

// Best returns the kept items, most similar first, with their similarities.
func (n *Nearest[T]) Best() ([]T, []float64) {
	items, sims := make([]T, len(n.h)), make([]float64, len(n.h))
	for i := len(n.h) - 1; i >= 0; i-- {
		x := heap.Pop(&n.h).(near[T])
		items[i], sims[i] = x.item, x.sim
	}
	return items, sims
}

type near[T any] struct {
	item T
	sim  float64
}

// nearHeap is a min-heap: the worst kept item is on top, to be replaced.
type nearHeap[T any] []near[T]

func (h nearHeap[T]) Len() int           { return len(h) }
func (h nearHeap[T]) Less(i, j int) bool { return h[i].sim < h[j].sim }
func (h nearHeap[T]) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nearHeap[T]) Push(x any)        { *h = append(*h, x.(near[T])) }
func (h *nearHeap[T]) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
