package search

import (
	"strings"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// A form is one name of a document (its name, or one alias) as ranking
// reads it. Stored encoded: words separated by spaces, each
// "word|primary|alternate" with its Double Metaphone keys; forms separated
// by newlines, the document's name first. Normalised words hold neither
// spaces, bars nor newlines.
type form struct {
	alias bool
	words []word
	runes int // letters in all words
}

// word is a normalised word with its length and phonetic keys.
type word struct {
	text   string
	runes  int
	sounds [2]string // primary and alternate; "" when too short to say
	// soundsDone is false for joined name words whose keys ranking
	// computes only if it needs them.
	soundsDone bool
	// stop marks a name's stop words ("the" in "Vethrax the Unbound"),
	// which a query may leave out and still match the whole name.
	stop bool
}

func newWord(text string) word {
	w := word{text: text, runes: utf8.RuneCountInString(text), soundsDone: true}
	if w.runes >= minSoundRunes {
		p, a := textmatch.DoubleMetaphoneN(text, 0)
		w.sounds = [2]string{p, a}
	}
	return w
}

func encodeForm(words []string) string {
	var b strings.Builder
	for i, t := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := newWord(t)
		b.WriteString(w.text)
		b.WriteByte('|')
		b.WriteString(w.sounds[0])
		b.WriteByte('|')
		b.WriteString(w.sounds[1])
	}
	return b.String()
}

// decodeForms reads what encodeForm wrote, one form per line, appending
// the words to buf (reused across candidates: ranking decodes a hundred
// documents per query). The forms' words share buf.
func decodeForms(s string, buf []word) ([]form, []word) {
	var forms []form
	buf = buf[:0]
	line := 0
	for s != "" {
		var l string
		l, s, _ = strings.Cut(s, "\n")
		start := len(buf)
		f := form{alias: line > 0}
		line++
		for l != "" {
			var field string
			field, l, _ = strings.Cut(l, " ")
			if field == "" {
				continue
			}
			text, rest, _ := strings.Cut(field, "|")
			p, a, _ := strings.Cut(rest, "|")
			w := word{text: text, runes: utf8.RuneCountInString(text), sounds: [2]string{p, a}, soundsDone: true, stop: textmatch.IsStopWord(text)}
			buf = append(buf, w)
			f.runes += w.runes
		}
		if len(buf) > start {
			f.words = buf[start:len(buf):len(buf)]
			forms = append(forms, f)
		}
	}
	return forms, buf
}
