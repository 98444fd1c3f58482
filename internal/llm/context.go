package llm

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ContextItem is one piece of campaign knowledge a prompt may include.
type ContextItem struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Text string `json:"text"`
	// Score is how relevant search found the item; higher is better.
	Score float64 `json:"-"`
	// GMOnly items never go into a prompt whose answer players may see.
	GMOnly bool `json:"-"`
}

// Audience is who may read what a prompt produces.
type Audience int

const (
	// ForGM may use everything.
	ForGM Audience = iota
	// ForPlayers never sees GM-only items.
	ForPlayers
)

// itemOverhead is what a context item costs beyond its text: the name,
// the type and the punctuation around them in the template.
const itemOverhead = 6

// ItemTokens is the estimated prompt cost of a context item.
func ItemTokens(it ContextItem) int {
	return EstimateTokens(it.Name) + EstimateTokens(it.Type) + EstimateTokens(it.Text) + itemOverhead
}

// SelectContext chooses the items a prompt includes within budget tokens:
// first those the request names, then the rest by score. For players no
// GM-only item is ever chosen. An item the request names that does not
// fit whole is shortened to fit; others are left out. The result keeps
// the order of choice, so the most relevant comes first.
func SelectContext(items []ContextItem, request string, budget int, audience Audience) []ContextItem {
	type cand struct {
		it      ContextItem
		named   bool
		cost, i int
	}
	lowerReq := strings.ToLower(request)
	var cands []cand
	for i, it := range items {
		if audience != ForGM && it.GMOnly {
			continue
		}
		if strings.TrimSpace(it.Name) == "" && strings.TrimSpace(it.Text) == "" {
			continue
		}
		cands = append(cands, cand{it: it, named: mentions(lowerReq, strings.ToLower(it.Name)), cost: ItemTokens(it), i: i})
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.named != b.named {
			if a.named {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.it.Score, a.it.Score)
	})
	var out []ContextItem
	left := budget
	for _, c := range cands {
		if c.cost <= left {
			out = append(out, c.it)
			left -= c.cost
			continue
		}
		if !c.named {
			continue
		}
		room := left - (c.cost - EstimateTokens(c.it.Text))
		if room < 8 {
			continue
		}
		c.it.Text = truncateTokens(c.it.Text, room)
		out = append(out, c.it)
		left -= ItemTokens(c.it)
	}
	return out
}

// mentions reports whether name occurs in text as whole words.
func mentions(text, name string) bool {
	name = strings.TrimSpace(name)
	if name == "" {
		return false
	}
	for from := 0; ; {
		i := strings.Index(text[from:], name)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(name)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		from = start + 1
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// truncateTokens cuts s at a word boundary so it costs at most n tokens.
func truncateTokens(s string, n int) string {
	words := strings.Fields(s)
	var b strings.Builder
	used := EstimateTokens("…")
	for _, w := range words {
		c := EstimateTokens(w)
		if used+c > n {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		used += c
	}
	return b.String() + "…"
}

// EstimateTokens guesses how many tokens a BPE tokenizer of the Llama or
// GPT families makes of s without its vocabulary: a word of Latin letters
// is a token per five letters or part of it (common words are one
// token, long rare ones split), digits go in threes, other scripts about
// a token per two characters, and each punctuation mark is a token. It
// is meant to err high, the safe side for a budget; chars/4 misjudges
// names, numbers and punctuation, which campaign text is full of.
func EstimateTokens(s string) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r < utf8.RuneSelf && (unicode.IsLetter(r)):
			j := i
			for j < len(s) && s[j] < utf8.RuneSelf && unicode.IsLetter(rune(s[j])) {
				j++
			}
			n += 1 + (j-i-1)/5
			i = j
		case unicode.IsDigit(r):
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j == i {
				j = i + size
			}
			n += (j - i + 2) / 3
			i = j
		case unicode.IsLetter(r):
			runes := 0
			j := i
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) || r2 < utf8.RuneSelf {
					break
				}
				runes++
				j += sz
			}
			n += (runes + 1) / 2
			i = j
		default:
			n++
			i += size
		}
	}
	return n
}
