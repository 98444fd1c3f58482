package search

import (
	"html"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// Highlights are HTML fragments: the matched words wrapped in <mark>,
// everything else escaped, so a client may insert them as they are.
const (
	markOpen  = "<mark>"
	markClose = "</mark>"
	ellipsis  = "…"
	// snippetBefore and snippetAfter are how many bytes of text a snippet
	// keeps around its first matched word.
	snippetBefore = 60
	snippetAfter  = 120
	// textScanBytes bounds how much of a long text ranking reads to find
	// and highlight the query's words; the database has found them already.
	textScanBytes = 64 << 10
)

// markWords returns s with the tokens whose index is set in marks wrapped
// in <mark>.
func markWords(s string, marks uint64) string {
	toks := textmatch.Tokenize(s)
	var spans [][2]int
	for i, t := range toks {
		if i < maxNameWords && marks&(1<<i) != 0 {
			spans = append(spans, [2]int{t.Start, t.End})
		}
	}
	return markSpans(s, spans)
}

// markSpans escapes s and wraps the given byte spans (in order, not
// overlapping) in <mark>.
func markSpans(s string, spans [][2]int) string {
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		b.WriteString(html.EscapeString(s[at:sp[0]]))
		b.WriteString(markOpen)
		b.WriteString(html.EscapeString(s[sp[0]:sp[1]]))
		b.WriteString(markClose)
		at = sp[1]
	}
	b.WriteString(html.EscapeString(s[at:]))
	return b.String()
}

// textMatch finds the query's words (but its stop words) in text. It
// reports whether all were found, a quality that rewards finding them
// together and in order, and a highlighted snippet.
func textMatch(q *Query, text string) (bool, float64, string) {
	text = cutAt(text, textScanBytes)
	words := q.textWords()
	toks := textmatch.Tokenize(text)
	first := make([]int, len(words))
	for wi := range words {
		first[wi] = slices.IndexFunc(toks, func(t textmatch.Token) bool { return textWordMatches(words, wi, t.Text) })
		if first[wi] < 0 {
			return false, 0, ""
		}
	}
	lo, hi, inOrder := first[0], first[0], true
	for i, p := range first {
		lo, hi = min(lo, p), max(hi, p)
		if i > 0 && p < first[i-1] {
			inOrder = false
		}
	}
	// Words side by side score 1; spread out, less.
	quality := 0.6 * float64(len(words)) / float64(hi-lo+1)
	if inOrder {
		quality += 0.4
	}
	return true, quality, snippet(words, text, toks, lo)
}

// textWordMatches reports whether text token t matches words[wi]: the
// same word, its plural, or (for the last word, maybe still being typed)
// a word it begins.
func textWordMatches(words []string, wi int, t string) bool {
	w := words[wi]
	if t == w || isPlural(t, w) {
		return true
	}
	return wi == len(words)-1 && utf8.RuneCountInString(w) >= minSoundRunes && strings.HasPrefix(t, w)
}

// snippet cuts text around token at and marks the query's words in it.
func snippet(words []string, text string, toks []textmatch.Token, at int) string {
	start, end := max(0, toks[at].Start-snippetBefore), min(len(text), toks[at].End+snippetAfter)
	// Move the edges out to the nearest token boundary so no word is cut.
	for _, t := range toks {
		if t.Start < start && t.End > start {
			start = t.Start
		}
		if t.Start < end && t.End > end {
			end = t.End
		}
	}
	var spans [][2]int
	for _, t := range toks {
		if t.Start < start || t.End > end {
			continue
		}
		for wi := range words {
			if textWordMatches(words, wi, t.Text) {
				spans = append(spans, [2]int{t.Start - start, t.End - start})
				break
			}
		}
	}
	out := markSpans(text[start:end], spans)
	if start > 0 {
		out = ellipsis + out
	}
	if end < len(text) {
		out += ellipsis
	}
	return strings.Join(strings.Fields(out), " ")
}
