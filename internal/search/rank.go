package search

import (
	"cmp"
	"math/bits"
	"slices"
)

// maxNameWords bounds the words of one name that ranking looks at (a
// bitmask of uint64 tracks which are matched). Names are short; a name of
// more words is matched on its first 64.
const maxNameWords = 64

// formMatch is how well a query matches one form of a document.
type formMatch struct {
	tier    tier
	quality float64
	marks   uint64 // the name words matched, for the highlight
	whole   bool   // every query word matched
}

// pairing is a query unit matched with a name unit.
type pairing struct {
	qi, ni  int
	tier    tier
	quality float64
	span    int // words covered beyond one on either side
}

// scratch holds the buffers ranking reuses from one candidate to the
// next: a search ranks a hundred of them.
type scratch struct {
	words []word
	units []unit
	pairs []pairing
}

// nameUnits returns the units of a form, in buf: its words, each two
// neighbours joined, and all words joined when there are three or more.
func nameUnits(f *form, buf []unit) []unit {
	words := f.words
	if len(words) > maxNameWords {
		words = words[:maxNameWords]
	}
	units := buf[:0]
	for i, w := range words {
		units = append(units, unit{word: w, first: i, last: i})
	}
	for i := 1; i < len(words); i++ {
		units = append(units, joinedUnit(words[i-1:i+1], i-1))
	}
	if len(words) > 2 {
		units = append(units, joinedUnit(words, 0))
	}
	return units
}

// joinedUnit joins words. One that begins with a stop word is as weak a
// match as the stop word.
func joinedUnit(words []word, first int) unit {
	u := unit{first: first, last: first + len(words) - 1}
	u.stop = words[0].stop
	for _, w := range words {
		u.text += w.text
		u.runes += w.runes
	}
	return u
}

// pairings lists every match between a query unit and a name unit. Two
// joined units are never compared: their words are compared one by one.
func pairings(q *Query, nunits []unit, buf []pairing) []pairing {
	ps := buf[:0]
	lastWord := len(q.words) - 1
	for qi := range q.units {
		qu := &q.units[qi]
		for ni := range nunits {
			nu := &nunits[ni]
			if qu.first != qu.last && nu.first != nu.last {
				continue
			}
			t, quality := matchWord(qu, nu, qu.last == lastWord, q.short)
			if t == tierNone {
				continue
			}
			if nu.stop && !qu.stop {
				// "th" may begin "The Ember Crown", but less surely than
				// "Thalindra".
				quality /= 2
			}
			ps = append(ps, pairing{qi: qi, ni: ni, tier: t, quality: quality, span: qu.last - qu.first + nu.last - nu.first})
		}
	}
	// Strongest first; on a tie the pairing that covers more words, so
	// that "stone beard" takes "Stonebeard" whole.
	slices.SortFunc(ps, func(a, b pairing) int {
		if c := cmp.Compare(b.tier, a.tier); c != 0 {
			return c
		}
		if c := cmp.Compare(b.quality, a.quality); c != 0 {
			return c
		}
		if c := cmp.Compare(b.span, a.span); c != 0 {
			return c
		}
		if c := cmp.Compare(a.qi, b.qi); c != 0 {
			return c
		}
		return cmp.Compare(a.ni, b.ni)
	})
	return ps
}

// span returns the bits first..last.
func span(first, last int) uint64 {
	return (uint64(1)<<(last-first+1) - 1) << first
}

// assignment is the greedy matching of query words to name words.
type assignment struct {
	tiers   [maxQueryWords]tier
	quality [maxQueryWords]float64
	nameAt  [maxQueryWords]int // the first name word each query word took
	qUsed   uint64
	nUsed   uint64
	// letters counts the name letters matched: a prefix match holds only
	// as many as the query typed.
	letters int
}

// assign takes pairings strongest first, each query word and each name
// word at most once.
func assign(q *Query, nunits []unit, ps []pairing) assignment {
	var a assignment
	for _, p := range ps {
		qu, nu := &q.units[p.qi], &nunits[p.ni]
		qm, nm := span(qu.first, qu.last), span(nu.first, nu.last)
		if a.qUsed&qm != 0 || a.nUsed&nm != 0 {
			continue
		}
		a.qUsed |= qm
		a.nUsed |= nm
		switch {
		case nu.stop:
			// Stop words are not counted in the name's letters either.
		case p.tier == tierPrefix:
			a.letters += min(qu.runes, nu.runes)
		default:
			a.letters += nu.runes
		}
		for w := qu.first; w <= qu.last; w++ {
			a.tiers[w], a.quality[w], a.nameAt[w] = p.tier, p.quality, nu.first
		}
	}
	return a
}

// matchForm scores q against one form.
func matchForm(q *Query, f *form, sc *scratch) formMatch {
	sc.units = nameUnits(f, sc.units)
	sc.pairs = pairings(q, sc.units, sc.pairs)
	nunits := sc.units
	a := assign(q, nunits, sc.pairs)
	m, covered := q.content, bits.OnesCount64(a.qUsed&q.contentMask())
	if covered == 0 || 2*covered < m {
		return formMatch{}
	}
	worst, sum := tierExact, 0.0
	inOrder, prev := true, -1
	for w := range q.words {
		if a.qUsed&(1<<w) == 0 || q.words[w].stop {
			continue
		}
		worst = min(worst, a.tiers[w])
		sum += a.quality[w]
		if a.nameAt[w] < prev {
			inOrder = false
		}
		prev = a.nameAt[w]
	}
	avg := sum / float64(covered)
	cover, whole := nameCover(f, a.nUsed, a.letters)
	fm := formMatch{marks: a.nUsed, whole: covered == m}
	switch {
	case covered < m:
		// Some query words match nothing in this name: at best a fuzzy
		// match, and weaker the more words are missing.
		fm.tier = min(worst, tierFuzzy)
		fm.quality = (0.85*avg + 0.15*cover) * float64(covered) / float64(m)
	case worst == tierExact && whole:
		fm.tier, fm.quality = tierExact, avg
		if !inOrder {
			fm.quality -= 0.3
		}
	case worst >= tierPrefix:
		fm.tier, fm.quality = tierPrefix, 0.5*avg+0.5*cover
	default:
		// How close the words are counts most; how much of the name they
		// cover breaks near ties.
		fm.tier, fm.quality = worst, 0.85*avg+0.15*cover
	}
	if f.alias {
		// A name beats an alias it ties with.
		fm.quality -= 0.05
	}
	return fm
}

// nameCover returns the share of the form's letters matched, and whether
// every word is matched. Stop words count only when the name is nothing
// else, so "Vethrax Unbound" matches "Vethrax the Unbound" whole.
func nameCover(f *form, used uint64, letters int) (share float64, whole bool) {
	total := 0
	allStop := true
	for _, w := range f.words {
		allStop = allStop && w.stop
	}
	whole = true
	for i, w := range f.words {
		if w.stop && !allStop {
			continue
		}
		total += w.runes
		if i >= maxNameWords || used&(1<<i) == 0 {
			whole = false
		}
	}
	if total == 0 {
		return 0, false
	}
	return min(1, float64(letters)/float64(total)), whole
}

// contentMask has a bit set for each query word that is not a stop word.
func (q *Query) contentMask() uint64 {
	var m uint64
	for i, w := range q.words {
		if !w.stop {
			m |= 1 << i
		}
	}
	return m
}
