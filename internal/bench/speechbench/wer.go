package speechbench

import (
	"strings"
	"unicode"
)

// WER is a word error count of a hypothesis against a reference.
type WER struct {
	Ref           int `json:"ref_words"`
	Substitutions int `json:"substitutions"`
	Deletions     int `json:"deletions"`
	Insertions    int `json:"insertions"`
}

// Rate is (S + D + I) / N, 0 when the reference is empty.
func (w WER) Rate() float64 {
	if w.Ref == 0 {
		return 0
	}
	return float64(w.Substitutions+w.Deletions+w.Insertions) / float64(w.Ref)
}

// Add pools two counts, so that an overall rate weighs files by their words.
func (w WER) Add(o WER) WER {
	return WER{w.Ref + o.Ref, w.Substitutions + o.Substitutions, w.Deletions + o.Deletions, w.Insertions + o.Insertions}
}

// words normalises text for scoring: lower case, punctuation and hyphens
// become spaces, an apostrophe is kept inside a word ("don't" is one word
// in the recogniser's dictionary) but not at its edges. Numbers stay as
// written: the references spell them out, as the recogniser does.
func words(text string) []string {
	var out []string
	for f := range strings.FieldsFuncSeq(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’'
	}) {
		f = strings.Trim(strings.ReplaceAll(f, "’", "'"), "'")
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// align counts the edits of the word-level Levenshtein alignment of hyp to
// ref. Among alignments of equal cost it prefers substitutions to a
// deletion and an insertion, as sclite does.
func align(ref, hyp []string) WER {
	type cell struct{ cost, s, d, i int }
	prev := make([]cell, len(hyp)+1)
	cur := make([]cell, len(hyp)+1)
	for j := range prev {
		prev[j] = cell{cost: j, i: j}
	}
	for i := 1; i <= len(ref); i++ {
		cur[0] = cell{cost: i, d: i}
		for j := 1; j <= len(hyp); j++ {
			best := prev[j-1]
			if ref[i-1] != hyp[j-1] {
				best.cost++
				best.s++
			}
			if c := prev[j]; c.cost+1 < best.cost {
				best = c
				best.cost++
				best.d++
			}
			if c := cur[j-1]; c.cost+1 < best.cost {
				best = c
				best.cost++
				best.i++
			}
			cur[j] = best
		}
		prev, cur = cur, prev
	}
	last := prev[len(hyp)]
	return WER{Ref: len(ref), Substitutions: last.s, Deletions: last.d, Insertions: last.i}
}
