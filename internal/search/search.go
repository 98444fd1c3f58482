package search

import (
	"cmp"
	"context"
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
}

// Run answers req from src: candidates by index lookups, ranked in Go.
func Run(ctx context.Context, src Source, req Request) (*Result, error) {
	q := ParseQuery(req.Query)
	if q.Empty() {
		return &Result{Items: []Item{}, Facets: map[string]int{}}, nil
	}
	keys := q.keys()
	hits, err := src.SearchKeys(ctx, KeyProbe{Filter: req.Filter, Keys: keys, PerKey: perKey, PerPrefix: perPrefix})
	if err != nil {
		return nil, err
	}
	var textIDs []int64
	if !q.short {
		words := q.textWords()
		last := words[len(words)-1]
		p := TextProbe{Filter: req.Filter, Words: words, LastPrefix: utf8.RuneCountInString(last) >= minSoundRunes, Limit: textLimit}
		if textIDs, err = src.SearchText(ctx, p); err != nil {
			return nil, err
		}
	}
	found, err := rankDocs(ctx, src, &q, req.Filter, q.pickCandidates(keys, hits, textIDs), textIDs)
	if err != nil {
		return nil, err
	}
	if q.needsFallback(found, len(textIDs)) {
		more, err := fallback(ctx, src, &q, req.Filter, found)
		if err != nil {
			return nil, err
		}
		found = append(found, more...)
	}
	if found, err = blendSemantic(ctx, src, req.Semantic, req, found); err != nil {
		return nil, err
	}
	return finish(found, req), nil
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
	return rankDocs(ctx, src, q, f, fresh, nil)
}

// rankDocs loads documents and keeps those that match.
func rankDocs(ctx context.Context, src Source, q *Query, f Filter, ids, textIDs []int64) ([]ranked, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cands, err := src.SearchDocs(ctx, DocsProbe{Filter: f, IDs: ids, TextIDs: textIDs})
	if err != nil {
		return nil, err
	}
	textHit := make(map[int64]bool, len(textIDs))
	for _, id := range textIDs {
		textHit[id] = true
	}
	out := make([]ranked, 0, len(cands))
	var sc scratch
	for i := range cands {
		if r, ok := scoreCandidate(q, &cands[i], f.GM, textHit[cands[i].DocID], &sc); ok {
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
