package search

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// Result limits.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Request is one search.
type Request struct {
	Filter
	Query string
	// Types, when set, keeps only results of these types. Facets count
	// every type, so a client can show what the other types hold.
	Types []string
	// Limit is how many results to return: DefaultLimit when 0, at most
	// MaxLimit.
	Limit int
	// Member, when set, is the user searching the campaign Filter.Scope:
	// the source checks their membership and role in the same lookup
	// (Filter.GM is ignored) and Run fails with ErrNotMember for others.
	// It needs a Gatherer source.
	Member string
	// Semantic, when set, adds the documents nearest the query in
	// meaning (see blendSemantic).
	Semantic Semantic
}

// Result is the answer to a search.
type Result struct {
	Items []Item `json:"items"`
	// Facets counts the matching documents of each type, before the types
	// filter and the limit.
	Facets map[string]int `json:"facets"`
	// GM says the caller searched as the campaign's GM, which the store
	// decides when it checks membership itself.
	GM bool `json:"-"`
}

// Item is one search result.
type Item struct {
	Type  string  `json:"type"`
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Score float64 `json:"score"`
	Match Match   `json:"match"`
	// Highlight is an HTML fragment, escaped, with the matched words in
	// <mark>: the name or alias that matched, or a snippet of the text.
	Highlight string `json:"highlight"`
	// Context places the result: a location's breadcrumb, a reference
	// entry's summary.
	Context string `json:"context,omitempty"`
	// Segment places a transcript segment result (type segment).
	Segment *SegmentRef `json:"segment,omitempty"`
}

// ErrNotMember is Run's answer when Request.Member is not a member of the
// campaign searched.
var ErrNotMember = errors.New("search: not a member of the campaign")

// Run answers req from src: candidates by index lookups, ranked in Go.
// With a Gatherer source the lookups take one round trip, two when the
// trigram fallback runs.
func Run(ctx context.Context, src Source, req Request) (*Result, error) {
	q := ParseQuery(req.Query)
	if q.Empty() && req.Member == "" {
		return &Result{Items: []Item{}, Facets: map[string]int{}}, nil
	}
	g, err := gather(ctx, src, q.plan(req))
	if err != nil {
		return nil, err
	}
	if !g.Allowed {
		return nil, ErrNotMember
	}
	f := req.Filter
	f.GM = g.GM
	var found []ranked
	var sc scratch
	textHits := 0
	for i := range g.Candidates {
		c := &g.Candidates[i]
		if c.TextHit {
			textHits++
		}
		if r, ok := scoreCandidate(&q, c, f.GM, c.TextHit, &sc); ok {
			found = append(found, r)
		}
	}
	if !q.Empty() && q.needsFallback(found, textHits) {
		more, err := fallback(ctx, src, &q, f, found)
		if err != nil {
			return nil, err
		}
		found = append(found, more...)
	}
	// Similarity sees what the caller may see: the role the store found.
	req.Filter = f
	if found, err = blendSemantic(ctx, src, req.Semantic, req, found); err != nil {
		return nil, err
	}
	res := finish(found, req)
	res.GM = f.GM
	return res, nil
}

// Plan returns the lookups that Run asks its source to gather for req.
func Plan(req Request) GatherProbe {
	q := ParseQuery(req.Query)
	return q.plan(req)
}

func (q *Query) plan(req Request) GatherProbe {
	p := GatherProbe{Filter: req.Filter, Member: req.Member, Keys: q.keys(), PerKey: perKey, PerPrefix: perPrefix,
		MaxCandidates: maxCandidates, QueryWords: len(q.words)}
	if !q.short && !q.Empty() {
		p.Words = q.textWords()
		p.LastPrefix = utf8.RuneCountInString(p.Words[len(p.Words)-1]) >= minSoundRunes
		p.TextLimit = textLimit
	}
	return p
}

// gather runs p on src: in one call on a Gatherer, else probe by probe.
func gather(ctx context.Context, src Source, p GatherProbe) (Gathered, error) {
	if g, ok := src.(Gatherer); ok {
		return g.Gather(ctx, p)
	}
	return GatherEach(ctx, src, p)
}

// GatherEach runs p probe by probe (SearchKeys, SearchText,
// PickCandidates, SearchDocs): what a Gatherer's one statement must equal.
// It cannot check membership; p.Member must be empty.
func GatherEach(ctx context.Context, src Source, p GatherProbe) (Gathered, error) {
	if p.Member != "" {
		return Gathered{}, errors.New("search: Request.Member needs a Gatherer source")
	}
	out := Gathered{Allowed: true, GM: p.GM}
	if len(p.Keys) == 0 {
		return out, nil
	}
	hits, err := src.SearchKeys(ctx, KeyProbe{Filter: p.Filter, Keys: p.Keys, PerKey: p.PerKey, PerPrefix: p.PerPrefix})
	if err != nil {
		return out, err
	}
	var textIDs []int64
	if len(p.Words) > 0 {
		tp := TextProbe{Filter: p.Filter, Words: p.Words, LastPrefix: p.LastPrefix, Limit: p.TextLimit}
		if textIDs, err = src.SearchText(ctx, tp); err != nil {
			return out, err
		}
	}
	ids := PickCandidates(p.Keys, p.QueryWords, hits, textIDs, p.MaxCandidates)
	if len(ids) == 0 {
		return out, nil
	}
	if out.Candidates, err = src.SearchDocs(ctx, DocsProbe{Filter: p.Filter, IDs: ids, TextIDs: textIDs}); err != nil {
		return out, err
	}
	for i := range out.Candidates {
		out.Candidates[i].TextHit = slices.Contains(textIDs, out.Candidates[i].DocID)
	}
	return out, nil
}

// textWords are the words a document's text must hold: all but the stop
// words.
func (q *Query) textWords() []string {
	out := make([]string, 0, q.content)
	for _, w := range q.words {
		if !w.stop {
			out = append(out, w.text)
		}
	}
	return out
}

// needsFallback reports whether the keys left the query unplaced: no name
// matches every query word, and no text holds them. Only then is the
// trigram index, slow at scale, worth asking.
func (q *Query) needsFallback(found []ranked, textHits int) bool {
	if q.short || textHits > 0 {
		return false
	}
	for _, r := range found {
		if r.whole {
			return false
		}
	}
	return true
}

// fallback ranks what the trigram index finds that the keys did not.
func fallback(ctx context.Context, src Source, q *Query, f Filter, found []ranked) ([]ranked, error) {
	ids, err := src.SearchTrigrams(ctx, TrigramProbe{Filter: f, Text: q.Text, Limit: trigramLimit})
	if err != nil {
		return nil, err
	}
	seen := make(map[int64]bool, len(found))
	for _, r := range found {
		seen[r.c.DocID] = true
	}
	var fresh []int64
	for _, id := range ids {
		if !seen[id] {
			fresh = append(fresh, id)
		}
	}
	return rankDocs(ctx, src, q, f, fresh)
}

// rankDocs loads documents and keeps those that match.
func rankDocs(ctx context.Context, src Source, q *Query, f Filter, ids []int64) ([]ranked, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cands, err := src.SearchDocs(ctx, DocsProbe{Filter: f, IDs: ids})
	if err != nil {
		return nil, err
	}
	out := make([]ranked, 0, len(cands))
	var sc scratch
	for i := range cands {
		if r, ok := scoreCandidate(q, &cands[i], f.GM, false, &sc); ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// finish sorts, counts facets, filters by type and cuts to the limit.
func finish(found []ranked, req Request) *Result {
	slices.SortFunc(found, compareRanked)
	res := &Result{Items: []Item{}, Facets: map[string]int{}}
	limit := req.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	for _, r := range found {
		res.Facets[r.c.Type]++
		if len(res.Items) < limit && (len(req.Types) == 0 || slices.Contains(req.Types, r.c.Type)) {
			res.Items = append(res.Items, r.item())
		}
	}
	return res
}

// compareRanked orders results by score, then by name, type and id so
// that equal scores come out the same on every backend.
func compareRanked(a, b ranked) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	if c := strings.Compare(strings.ToLower(a.c.Name), strings.ToLower(b.c.Name)); c != 0 {
		return c
	}
	if c := strings.Compare(a.c.Type, b.c.Type); c != 0 {
		return c
	}
	return strings.Compare(a.c.ID, b.c.ID)
}
