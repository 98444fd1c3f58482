package keywords

import (
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// frequentCount is how often a word must occur in the lexicon's prose to
// count as an ordinary word: about 25 per million words of SRD text,
// which takes in "dragon", "greater" and "reaction" but not "korean".
const frequentCount = 5

// lexiconPenalty is taken off a spelling or sound match whose words are
// all ordinary words, none of them the name's own: "dragon" is far more
// often a dragon than a mangled "Durgan".
const lexiconPenalty = 0.3

// Lexicon counts the words of ordinary prose. It tells the engine which
// transcript words are everyday vocabulary, so that it does not read them
// as mangled names. It is immutable once built.
type Lexicon struct {
	counts map[string]int32
}

// NewLexicon counts the words of texts.
func NewLexicon(texts []string) *Lexicon {
	l := &Lexicon{counts: make(map[string]int32)}
	for _, t := range texts {
		for _, tok := range textmatch.Tokenize(t) {
			l.counts[tok.Text]++
		}
	}
	return l
}

// LexiconFromReference builds a lexicon from the descriptions of SRD
// entries: a few hundred thousand words of the language spoken at a game
// table.
func LexiconFromReference(entries []reference.Entry) *Lexicon {
	var texts []string
	for _, e := range entries {
		texts = append(texts, e.Prose()...)
	}
	return NewLexicon(texts)
}

// Count returns how often the normalised word occurred.
func (l *Lexicon) Count(word string) int {
	if l == nil {
		return 0
	}
	return int(l.counts[word])
}

// Frequent reports whether word is an ordinary word of the prose.
func (l *Lexicon) Frequent(word string) bool { return l.Count(word) >= frequentCount }
