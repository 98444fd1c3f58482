package search

import (
	"strings"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// Key namespaces. A key is one of these prefixes and a normalised word.
const (
	// wordKey: a name word, two neighbouring words joined ("stone beard"
	// -> "stonebeard") or all of a name's words joined. Looked up exactly
	// and by prefix.
	wordKey = "w:"
	// deleteKey: a name word itself, or with one letter deleted. A query
	// word and a name word at most one edit apart (a substitution,
	// insertion, deletion or transposition) always share one: the
	// "symmetric delete" of SymSpell, with exact B-tree lookups.
	deleteKey = "d:"
	// soundKey: a Double Metaphone key (primary or alternate) of a name
	// word or of two neighbouring words joined.
	soundKey = "p:"
)

// Bounds on what gets keys.
const (
	// minDeleteRunes: deletions of shorter words are two-letter strings
	// that half the vocabulary shares.
	minDeleteRunes = 4
	// maxDeleteRunes: longer words are not names; they would add a key per
	// letter for nothing.
	maxDeleteRunes = 24
	// minSoundRunes and minSoundKey: the Double Metaphone of a two-letter
	// word, or a one-letter key, says almost nothing.
	minSoundRunes = 3
	minSoundKey   = 2
)

// addNameKeys adds the keys of one name form, given as words.
func addNameKeys(keys map[string]struct{}, words []string) {
	add := func(k string) { keys[k] = struct{}{} }
	for i, w := range words {
		add(wordKey + w)
		add(deleteKey + w)
		for _, d := range deletions(w) {
			add(deleteKey + d)
		}
		for _, s := range soundsOf(w) {
			add(soundKey + s)
		}
		if i > 0 {
			pair := words[i-1] + w
			add(wordKey + pair)
			for _, s := range soundsOf(pair) {
				add(soundKey + s)
			}
		}
	}
	if len(words) > 2 {
		add(wordKey + strings.Join(words, ""))
	}
}

// deletions returns the distinct strings made by deleting one rune of w,
// or nil when w is too short or too long to be worth it.
func deletions(w string) []string {
	n := utf8.RuneCountInString(w)
	if n < minDeleteRunes || n > maxDeleteRunes {
		return nil
	}
	out := make([]string, 0, n)
	prev := ""
	for i, r := range w {
		d := w[:i] + w[i+utf8.RuneLen(r):]
		// Deleting either letter of a double letter gives the same string.
		if d != prev {
			out = append(out, d)
		}
		prev = d
	}
	return out
}

// soundsOf returns w's distinct, long-enough Double Metaphone keys. Keys
// are not capped at four letters as usual: for long invented names the
// first four sounds say too little.
func soundsOf(w string) []string {
	if utf8.RuneCountInString(w) < minSoundRunes {
		return nil
	}
	p, a := textmatch.DoubleMetaphoneN(w, 0)
	var out []string
	if len(p) >= minSoundKey {
		out = append(out, p)
	}
	if a != p && len(a) >= minSoundKey {
		out = append(out, a)
	}
	return out
}

// addPossessiveKeys adds the word and deletion keys of a name's
// possessive words with their s ("Orlen's" -> "orlens"): words are
// indexed without it, and a query typed without the apostrophe, with a
// slip besides ("rolens"), is one edit from the form with the s but two
// from the word.
func addPossessiveKeys(keys map[string]struct{}, name string) {
	for _, t := range textmatch.Tokenize(name) {
		if !t.Possessive || strings.HasSuffix(t.Text, "s") {
			continue
		}
		w := t.Text + "s"
		keys[deleteKey+w] = struct{}{}
		for _, d := range deletions(w) {
			keys[deleteKey+d] = struct{}{}
		}
	}
}
