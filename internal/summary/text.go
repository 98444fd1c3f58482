package summary

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// word is one word of a text with its byte offsets.
type word struct {
	text  string // as written
	lower string
	start int
	end   int
}

// words splits text into words (letters, digits and inner apostrophes or
// hyphens).
func words(text string) []word {
	var out []word
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || ((r == '\'' || r == '’' || r == '-') && start >= 0)
		if inWord && start < 0 {
			start = i
		}
		if !inWord && start >= 0 {
			out = append(out, newWord(text, start, i))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, newWord(text, start, len(text)))
	}
	return out
}

func newWord(text string, start, end int) word {
	w := strings.TrimRight(text[start:end], "'’-")
	end = start + len(w)
	return word{text: w, lower: strings.ToLower(w), start: start, end: end}
}

// stem cuts common English endings so that "attacks", "attacked" and
// "attacking" count as one word.
func stem(w string) string {
	if base, ok := irregular[w]; ok {
		return base
	}
	w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// stopWords are left out of the vectors that compare texts.
var stopWords = set(`a an the and or but if then so of to in on at by for with from into onto over under up down out off
about as is are was were be been being am i me my we us our you your he him his she her it its they them their this that these those
there here what which who whom whose when where why how all any both each few more most other some such no nor not only own same
than too very can will just do does did done don't doesn't didn't have has had having would should could might must shall may
let let's okay ok yeah yes oh uh um well right now get got go going gonna want like know think see look say says said one two just
also again still really back make made take took come came give gave tell told im i'm you're it's that's we're they're i'll you'll
we'll he's she's there's what's ll ve re`)

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// vector is a sparse term-weight vector.
type vector map[string]float64

func (v vector) norm() float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

func cosine(a, b vector) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	var dot float64
	for k, x := range a {
		dot += x * b[k]
	}
	na, nb := a.norm(), b.norm()
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / (na * nb)
}

// contentTerms are the stemmed non-stop words of text.
func contentTerms(text string) []string {
	var out []string
	for _, w := range words(text) {
		if stopWords[w.lower] || utf8.RuneCountInString(w.lower) < 3 {
			continue
		}
		out = append(out, stem(w.lower))
	}
	return out
}

// phraseMatcher finds any of a set of phrases in a text, by whole words,
// ignoring case.
type phraseMatcher struct {
	phrases [][]string
	keys    []int // index of the owner of each phrase
}

func (m *phraseMatcher) add(phrase string, key int) {
	var ws []string
	for _, w := range words(phrase) {
		ws = append(ws, w.lower)
	}
	if len(ws) == 0 {
		return
	}
	m.phrases = append(m.phrases, ws)
	m.keys = append(m.keys, key)
}

// match is one phrase found: the owner key and byte span.
type match struct {
	key        int
	start, end int
}

// find returns every phrase occurrence in ws (the words of one text).
func (m *phraseMatcher) find(ws []word) []match {
	var out []match
	for i := range ws {
		for p, ph := range m.phrases {
			if i+len(ph) > len(ws) {
				continue
			}
			ok := true
			for j, pw := range ph {
				got := ws[i+j].lower
				if got != pw && stem(got) != stem(pw) {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, match{key: m.keys[p], start: ws[i].start, end: ws[i+len(ph)-1].end})
			}
		}
	}
	return out
}

// irregular maps past forms the decisive and attitude words use to their
// stems.
var irregular = map[string]string{"found": "find", "slew": "slay", "slain": "slay", "fell": "fall", "stole": "steal", "won": "win",
	"lost": "lose", "broke": "break", "forgave": "forgive", "gave": "give", "came": "come", "rode": "ride", "bought": "buy",
	"sold": "sell", "paid": "pay", "slept": "sleep", "woke": "wake", "fought": "fight", "took": "take"}
