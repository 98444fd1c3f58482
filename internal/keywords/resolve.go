package keywords

import (
	"cmp"
	"slices"
)

// resolve applies context, the threshold and the Common rule to the
// candidates, then keeps the best non-overlapping ones in text order.
func (m *matcher) resolve(text string) []Detection {
	thr := m.opts.threshold()
	// Words that spell a name exactly are that name or nothing: "blur" is
	// the Blur spell or a blur, never a mangled "Balor".
	var spelled []candidate
	for _, c := range m.sc.cands {
		if isSpelling(c.reason) {
			spelled = append(spelled, c)
		}
	}
	kept := m.sc.cands[:0]
	for _, c := range m.sc.cands {
		if !isSpelling(c.reason) && m.coversOtherName(c, spelled) {
			continue
		}
		v := &m.s.variants[c.vid]
		t := &m.s.terms[v.term]
		ctx := cueScore(t.Category, m.toks, c.i, c.j)
		if t.Common && !m.opts.AlertCommon {
			// An everyday word is a game term only when the words around
			// it say so.
			if ctx < 1 {
				continue
			}
			c.reason = ReasonContext
		} else {
			before := c.conf
			c.conf = min(max(c.conf+contextWeight*ctx, 0), 1)
			if before < thr && c.conf >= thr {
				c.reason = ReasonContext
			}
		}
		if c.conf < thr {
			continue
		}
		// Longer names win in proportion to how sure they are: an exact
		// "Wand of Fireballs" beats "Fireball", a loose "can I polymorph"
		// does not beat an exact "polymorph".
		// A sound match is ranked by its whole similarity, above the
		// confidence cap, and gets no span bonus: its distance already
		// weighs every word it takes in.
		if c.reason == ReasonPhonetic {
			c.rank = (c.conf + c.capped) * (1 + lengthBonus*float64(len(v.tokens)-1))
		} else {
			c.rank = c.conf*(1+lengthBonus*float64(len(v.tokens)-1)) + spanBonus*float64(c.j-c.i-1)
		}
		kept = append(kept, c)
	}
	slices.SortFunc(kept, func(a, b candidate) int {
		if r := cmp.Compare(b.rank, a.rank); r != 0 {
			return r
		}
		if r := cmp.Compare(b.j-b.i, a.j-a.i); r != 0 {
			return r
		}
		return cmp.Compare(m.termOf(a).Key, m.termOf(b).Key)
	})
	taken := make([]bool, len(m.toks))
	var out []Detection
	for _, c := range kept {
		if slices.Contains(taken[c.i:c.j], true) {
			continue
		}
		for k := c.i; k < c.j; k++ {
			taken[k] = true
		}
		start, end := m.toks[c.i].Start, m.toks[c.j-1].End
		out = append(out, Detection{
			Term:       *m.termOf(c),
			Span:       [2]int{start, end},
			Surface:    text[start:end],
			Confidence: c.conf,
			Reason:     c.reason,
		})
	}
	slices.SortFunc(out, func(a, b Detection) int { return cmp.Compare(a.Span[0], b.Span[0]) })
	return out
}

func (m *matcher) termOf(c candidate) *Term {
	return &m.s.terms[m.s.variants[c.vid].term]
}

// coversOtherName reports whether candidate c's words spell a name
// exactly. A sound match may not take in any exactly spelled name: its
// looser evidence does not outweigh the spelling ("fireball at" is not
// Fire Bolt). Everyday words (Common terms) do not block it: they are
// names only in context. A spelling match may, since a misspelt long name often
// holds a short one ("cold of protection").
func (m *matcher) coversOtherName(c candidate, spelled []candidate) bool {
	for _, s := range spelled {
		if s.i == c.i && s.j == c.j || c.reason == ReasonPhonetic && c.i <= s.i && s.j <= c.j && !m.termOf(s).Common {
			return true
		}
	}
	return false
}
