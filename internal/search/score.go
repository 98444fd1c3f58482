package search

// ranked is a candidate that matched, with its score.
type ranked struct {
	c     *Candidate
	tier  tier
	score float64
	whole bool // a name matched every query word
	// highlight is the text snippet of a full-text match; a name match
	// keeps the form and words matched and marks them only if the result
	// is returned.
	highlight string
	form      int
	marks     uint64
	// semantic is set when the score is the document's similarity of
	// meaning to the query (blendSemantic).
	semantic bool
}

func (r ranked) item() Item {
	it := Item{Type: r.c.Type, ID: r.c.ID, Name: r.c.Name, Score: round3(r.score), Match: r.tier.match(), Highlight: r.highlight, Context: r.c.Context}
	if r.semantic {
		it.Match = MatchSemantic
	} else if r.tier != tierFullText {
		it.Highlight = markWords(formText(r.c, r.form), r.marks)
	}
	return it
}

// round3 keeps scores readable; ties it creates are broken by name.
func round3(x float64) float64 {
	return float64(int64(x*1000+0.5)) / 1000
}

// scoreCandidate scores c's best name form and, when the text probe found
// c, its text (GM-only text for GMs only); the better of the two counts.
func scoreCandidate(q *Query, c *Candidate, gm, textHit bool, sc *scratch) (ranked, bool) {
	best := ranked{c: c}
	var forms []form
	forms, sc.words = decodeForms(c.Forms, sc.words)
	for i := range forms {
		fm := matchForm(q, &forms[i], sc)
		if fm.tier == tierNone {
			continue
		}
		if s := fm.tier.score(fm.quality); s > best.score {
			best.score, best.tier, best.whole = s, fm.tier, fm.whole
			best.form, best.marks = i, fm.marks
		}
	}
	if textHit {
		texts := []string{c.Text}
		if gm {
			texts = append(texts, c.GMText)
		}
		found := false
		for _, t := range texts {
			ok, quality, snip := textMatch(q, t)
			if !ok {
				continue
			}
			found = true
			if s := tierFullText.score(quality); s > best.score {
				best.score, best.tier, best.highlight = s, tierFullText, snip
			}
		}
		if !found && best.tier == tierNone {
			// The database found the words where ranking does not read
			// (deep in a long text): still a match, the weakest kind.
			best.score, best.tier = tierFullText.score(0), tierFullText
		}
	}
	return best, best.tier != tierNone
}

// formText returns the original text of form i: the name or an alias.
// Forms skip names without words, so count those that have words.
func formText(c *Candidate, i int) string {
	n := -1
	for _, s := range append([]string{c.Name}, c.Aliases...) {
		if len(nameWords(s)) > 0 {
			n++
		}
		if n == i {
			return s
		}
	}
	return c.Name
}
