package spokenkw

import (
	"strings"
	"unicode"

	"github.com/gmc-project/gmc/internal/bench/kwbench"
)

// werWords splits text as the benchmark's WER does: lower case, hyphens
// split words, punctuation dropped except apostrophes inside words.
func werWords(s string) []string {
	s = strings.ToLower(strings.ReplaceAll(s, "-", " "))
	var out []string
	for _, w := range strings.Fields(s) {
		w = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' {
				return r
			}
			return -1
		}, w)
		if w = strings.Trim(w, "'"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// editDistance is the word-level Levenshtein distance of ref and hyp.
func editDistance(ref, hyp []string) int {
	prev := make([]int, len(hyp)+1)
	cur := make([]int, len(hyp)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ref); i++ {
		cur[0] = i
		for j := 1; j <= len(hyp); j++ {
			sub := prev[j-1]
			if ref[i-1] != hyp[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(hyp)]
}

// corpusWER is the word error rate over all utterances: total edits over
// total reference words, of the best readings joined across segments.
func corpusWER(utts []kwbench.Utterance, heard []map[bool][]chunk, names bool) float64 {
	var edits, words int
	for i, u := range utts {
		var hyp []string
		for _, c := range heard[i][names] {
			hyp = append(hyp, werWords(c.Text)...)
		}
		ref := werWords(u.Reference)
		edits += editDistance(ref, hyp)
		words += len(ref)
	}
	if words == 0 {
		return 0
	}
	return float64(edits) / float64(words)
}
