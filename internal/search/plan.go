package search

import (
	"cmp"
	"slices"
)

// Bounds on what one search reads. They keep the cost of a query flat
// however large the campaign: a key shared by thousands of names yields
// PerKey of them, and ranking sees at most maxCandidates documents.
const (
	perKey        = 24
	perPrefix     = 48
	textLimit     = 40
	trigramLimit  = 30
	maxCandidates = 80
)

// Key strengths, for choosing which documents to load and rank when the
// keys reach more than maxCandidates: a document matched on more query
// words, and by stronger keys, goes first.
const (
	strengthSound  = 1
	strengthDelete = 2
	strengthPrefix = 3
)

// keys returns the index lookups of q. Short queries look up words by
// prefix only; others add, for every unit, the deletion and sound keys
// that reach names one edit or one sound-alike away.
func (q Query) keys() []Key {
	var keys []Key
	seen := map[Key]bool{}
	add := func(k Key) {
		probe := Key{Text: k.Text, Prefix: k.Prefix}
		if !seen[probe] {
			seen[probe] = true
			k.First, k.Last = q.units[k.unit].first, q.units[k.unit].last
			keys = append(keys, k)
		}
	}
	for i, u := range q.units {
		if u.stop && u.first == u.last {
			continue // a stop word alone reaches everything
		}
		add(Key{Text: wordKey + u.text, Prefix: true, unit: i})
		if q.short {
			continue
		}
		if u.runes >= minDeleteRunes-1 {
			add(Key{Text: deleteKey + u.text, unit: i})
		}
		if u.first == u.last {
			// Joined words are looked up whole and by sound only: a
			// typo inside a split word is rare, and its deletions would
			// double the lookups of every multi-word query.
			for _, d := range deletions(u.text) {
				add(Key{Text: deleteKey + d, unit: i})
			}
		}
		for _, s := range soundsOf(u.text) {
			add(Key{Text: soundKey + s, unit: i})
		}
	}
	return keys
}

// Strength says how much a hit by k suggests a match.
func (k Key) Strength() int {
	switch {
	case k.Prefix:
		return strengthPrefix
	case k.Text[:2] == deleteKey:
		return strengthDelete
	default:
		return strengthSound
	}
}

// PickCandidates chooses the documents to rank: the best maxCandidates of
// those the keys reached, scored per query word by the strongest key that
// reached them and by how many keys did (a name word equal to the query
// word shares all its deletion keys, one a slip away only one or two),
// summed over the words, and then those the text probe found. A Gatherer
// makes the same choice in its own query language.
func PickCandidates(keys []Key, queryWords int, hits []Hit, textIDs []int64, maxCandidates int) []int64 {
	type tally struct {
		best  []int // strongest hit per query word
		count []int // hits per query word
		total int
	}
	byDoc := map[int64]*tally{}
	var order []int64
	for _, h := range hits {
		t := byDoc[h.DocID]
		if t == nil {
			t = &tally{best: make([]int, queryWords), count: make([]int, queryWords)}
			byDoc[h.DocID] = t
			order = append(order, h.DocID)
		}
		k := keys[h.Key]
		for w := k.First; w <= k.Last; w++ {
			t.best[w] = max(t.best[w], k.Strength())
			t.count[w]++
		}
	}
	for _, id := range order {
		t := byDoc[id]
		for w, s := range t.best {
			t.total += 4*s + min(t.count[w], 4)
		}
	}
	slices.SortFunc(order, func(a, b int64) int {
		if c := cmp.Compare(byDoc[b].total, byDoc[a].total); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	if len(order) > maxCandidates {
		order = order[:maxCandidates]
	}
	// A document the text probe found is ranked even when its keys'
	// score left it out.
	chosen := make(map[int64]bool, len(order))
	for _, id := range order {
		chosen[id] = true
	}
	for _, id := range textIDs {
		if !chosen[id] {
			chosen[id] = true
			order = append(order, id)
		}
	}
	return order
}
