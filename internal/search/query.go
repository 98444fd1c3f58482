package search

import (
	"strings"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// Query bounds. Longer input is cut: nobody searches for a paragraph, and
// every word adds index lookups.
const (
	MaxQueryRunes = 200
	maxQueryWords = 6
)

// Query is search text parsed into words and units.
type Query struct {
	// Text is the normalised query, words separated by spaces.
	Text  string
	words []word
	// content counts the words that are not stop words: those a match
	// must cover. Stop words may match ("Vethrax the Unbound") or join a
	// neighbour ("she xen" for "Shexen") but are not required.
	content int
	// units are the words, then each two neighbours joined, then all
	// words joined (three or more): a query word may be a name's two words
	// run together, or two query words one name word split apart.
	units []unit
	// short queries (one or two letters, or only stop words) are matched
	// by prefix only: any other lookup would reach half the index.
	short bool
}

// unit is a word or joined neighbouring words of a query or a name; it
// covers words first..last.
type unit struct {
	word
	first, last int
}

// ParseQuery parses search text. A query with no words is empty.
func ParseQuery(s string) Query {
	if utf8.RuneCountInString(s) > MaxQueryRunes {
		s = string([]rune(s)[:MaxQueryRunes])
	}
	all := nameWords(s)
	if len(all) > maxQueryWords {
		all = all[:maxQueryWords]
	}
	q := Query{Text: strings.Join(all, " ")}
	letters := 0
	for _, text := range all {
		w := newWord(text)
		if w.stop = textmatch.IsStopWord(text); !w.stop {
			q.content++
			letters += w.runes
		}
		q.words = append(q.words, w)
	}
	if q.content == 0 {
		// Only stop words: they are the query, looked up as typed, by
		// prefix ("the" may begin "Theron").
		for i := range q.words {
			q.words[i].stop = false
			letters += q.words[i].runes
		}
		q.content, q.short = len(q.words), true
	}
	q.short = q.short || letters <= 2
	q.units = joinUnits(q.words)
	return q
}

// Empty reports whether the query has no words.
func (q Query) Empty() bool { return len(q.words) == 0 }

// Short reports whether the query is matched by prefix only.
func (q Query) Short() bool { return q.short }

// joinUnits returns the words, the neighbouring pairs joined, and all
// words joined when there are three or more.
func joinUnits(words []word) []unit {
	units := make([]unit, 0, 2*len(words))
	for i, w := range words {
		units = append(units, unit{word: w, first: i, last: i})
	}
	for i := 1; i < len(words); i++ {
		units = append(units, unit{word: newWord(words[i-1].text + words[i].text), first: i - 1, last: i})
	}
	if len(words) > 2 {
		var b strings.Builder
		for _, w := range words {
			b.WriteString(w.text)
		}
		units = append(units, unit{word: newWord(b.String()), first: 0, last: len(words) - 1})
	}
	return units
}
