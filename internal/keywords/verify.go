package keywords

import (
	"github.com/gmc-project/gmc/internal/textmatch"
)

// verify scores a spelling candidate within limit edits.
func (m *matcher) verify(vid int32, i, j, limit int) {
	v := &m.s.variants[vid]
	n := j - i
	if n < len(v.tokens)-1 || n > len(v.tokens)+2 || limit == 0 {
		return
	}
	if !m.boundaryOK(v, i, j) {
		return
	}
	q := m.queryString()
	if n == 1 && len(v.tokens) == 1 && otherWordForm(q, v.joined) {
		return
	}
	d := textmatch.DamerauLevenshtein(q, v.joined, limit)
	if d == 0 || d > limit {
		return // exact matches are found by exact
	}
	if len(v.tokens) > 1 && !m.wordsSurvive(v, i, j) {
		return
	}
	sim := 1 - float64(d)/float64(max(len(q), len(v.joined)))
	reason := ReasonFuzzy
	conf := sim
	penalty := m.ordinaryPenalty(v, i, j)
	if penalty >= lexiconPenalty && j-i == 1 {
		// A single ordinary word means itself: "dragon" is a dragon,
		// "greater" is greater.
		return
	}
	conf -= penalty
	m.add(vid, i, j, conf, reason)
}

// boundaryOK rejects spelling n-grams that start or end with a stop word
// that is not the name's own word there: "the orc" is found as "orc", not
// as a fuzzy "theorc". A function word heard for part of a name is left
// to the sound matcher, which weighs it by its sounds (sound.go).
func (m *matcher) boundaryOK(v *variant, i, j int) bool {
	last := len(v.tokens) - 1
	return (!m.sc.stop[i] || m.toks[i].Text == v.tokens[0]) &&
		(!m.sc.stop[j-1] || m.toks[j-1].Text == v.tokens[last])
}

// wordsSurvive checks that every content word of a multi-word name left
// a trace in the n-gram, by letters or by sound, in some run of its words
// ("haversack" in "have versa"). A close joined spelling is not enough:
// "line of magic missiles" is not the Wand of Magic Missiles.
func (m *matcher) wordsSurvive(v *variant, i, j int) bool {
	cursor := i
	for k, w := range v.tokens {
		if v.stop[k] {
			continue
		}
		if hasDigit(w) {
			// "Spell Scroll (2nd)": a number is said as it is or not at
			// all, so it must be there exactly.
			if !m.hasWord(w, i, j) {
				return false
			}
			continue
		}
		end, ok := m.traceOf(w, cursor, j)
		if !ok {
			return false
		}
		cursor = end
	}
	return true
}

// traceOf finds the first run of words from token `from` on that spells or
// sounds like w, and returns where the best such run ends. Each word of a
// name needs its own run, in order: "one creature" does not trace both
// words of "Locate Creature".
func (m *matcher) traceOf(w string, from, j int) (end int, ok bool) {
	code := tokenCode(w, true)
	var buf [64]byte
	for a := from; a < j; a++ {
		best, bestEnd := -1.0, 0
		run := buf[:0]
		for b := a; b < j; b++ {
			run = append(run, m.toks[b].Text...)
			if len(run) > 2*len(w)+2 {
				break
			}
			sim := textmatch.EditSimilarity(string(run), w)
			if b == a && sim < 1 {
				sound := max(textmatch.EditSimilarity(m.sc.codes[a][0], code), textmatch.EditSimilarity(m.sc.codes[a][2], code))
				if sound == 1 && len(code) >= 2 {
					sim = 1
				}
			}
			if sim >= tokenFloor && sim > best {
				best, bestEnd = sim, b+1
			}
		}
		if best >= 0 {
			return bestEnd, true
		}
	}
	return 0, false
}

// ordinaryPenalty lowers a spelling or sound match made only of ordinary
// words, in proportion to their share of the letters. A match that keeps
// one of the name's own words is not touched.
func (m *matcher) ordinaryPenalty(v *variant, i, j int) float64 {
	lex := m.opts.Lexicon
	if lex == nil {
		return 0
	}
	letters, ordinary := 0, 0
	for k := i; k < j; k++ {
		t := m.toks[k].Text
		if m.sc.stop[k] {
			continue
		}
		for _, w := range v.tokens {
			if w == t {
				return 0
			}
		}
		letters += len(t)
		if lex.Frequent(t) {
			ordinary += len(t)
		}
	}
	if letters == 0 {
		return 0
	}
	return lexiconPenalty * float64(ordinary) / float64(letters)
}

func (m *matcher) hasWord(w string, i, j int) bool {
	for k := i; k < j; k++ {
		if m.toks[k].Text == w {
			return true
		}
	}
	return false
}

func hasDigit(w string) bool {
	for i := 0; i < len(w); i++ {
		if '0' <= w[i] && w[i] <= '9' {
			return true
		}
	}
	return false
}

// otherWordForm reports two words that differ only by an ending or a
// prefix added to the same stem: "invisible" and "Invisibility",
// "contingent" and "Contingency", "visible" and "Invisible". Such a word is
// a real word of its own, not a mishearing; the inflections that do name
// the term (plurals, "grapple" for "Grappled") are exact keys already.
func otherWordForm(a, b string) bool {
	if len(a) == len(b) {
		return false
	}
	short := min(len(a), len(b))
	pre, suf := 0, 0
	for pre < short && a[pre] == b[pre] {
		pre++
	}
	for suf < short && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	shared := max(pre, suf)
	return shared >= short-1 || shared >= short-2 && abs(len(a)-len(b)) >= 2
}

// add records a candidate, keeping the best evidence per variant and span:
// a spelling match is never replaced by a looser kind.
func (m *matcher) add(vid int32, i, j int, conf float64, reason string) {
	for k := range m.sc.cands {
		c := &m.sc.cands[k]
		if c.vid == vid && c.i == i && c.j == j {
			if isSpelling(c.reason) && !isSpelling(reason) {
				return
			}
			if conf > c.conf || isSpelling(reason) && !isSpelling(c.reason) {
				c.conf, c.reason = conf, reason
			}
			return
		}
	}
	m.sc.cands = append(m.sc.cands, candidate{vid: vid, i: i, j: j, conf: conf, reason: reason})
}
