package search

import (
	"strings"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// Match says how a result matched the query, strongest first.
type Match string

// Matches.
const (
	MatchExact    Match = "exact"
	MatchPrefix   Match = "prefix"
	MatchFuzzy    Match = "fuzzy"
	MatchPhonetic Match = "phonetic"
	MatchFullText Match = "fulltext"
)

// tier orders matches; a higher tier always ranks first.
type tier int

const (
	tierNone tier = iota
	tierFullText
	tierPhonetic
	tierFuzzy
	tierPrefix
	tierExact
)

func (t tier) match() Match {
	switch t {
	case tierExact:
		return MatchExact
	case tierPrefix:
		return MatchPrefix
	case tierFuzzy:
		return MatchFuzzy
	case tierPhonetic:
		return MatchPhonetic
	}
	return MatchFullText
}

// band is the range of scores of a tier. Bands do not overlap, so sorting
// by score sorts by tier first and by quality within a tier.
func (t tier) band() (lo, hi float64) {
	switch t {
	case tierExact:
		return 0.95, 1
	case tierPrefix:
		return 0.80, 0.95
	case tierFuzzy:
		return 0.60, 0.80
	case tierPhonetic:
		return 0.45, 0.60
	}
	return 0.10, 0.45
}

// score places quality (0..1) in t's band.
func (t tier) score(quality float64) float64 {
	lo, hi := t.band()
	quality = min(max(quality, 0), 1)
	// A hair below hi, so that the best of a tier stays under the next.
	return lo + (hi-lo)*quality*0.9999
}

// allowedEdits is how many edits a word of n letters may be from a name
// word and still match as fuzzy: scaled to length, because one slip in
// "Ka" makes another name while three in "Stonebeard" leave it plain.
func allowedEdits(n int) int {
	switch {
	case n <= 3:
		return 0
	case n <= 5:
		return 1
	case n <= 9:
		return 2
	}
	return 3
}

// fuzzyPrefixMin is the shortest last query word matched, with one slip,
// against the start of a longer name word (someone still typing).
const fuzzyPrefixMin = 4

// matchWord compares a query unit with a name unit. last says q is the
// query's last word, which may be unfinished; short allows prefix
// matches only.
func matchWord(q, n *unit, last, short bool) (tier, float64) {
	switch {
	case q.text == n.text:
		return tierExact, 1
	case isPlural(q.text, n.text) || isPlural(n.text, q.text):
		return tierExact, 0.97
	case strings.HasPrefix(n.text, q.text):
		return tierPrefix, 0.5 + 0.5*float64(q.runes)/float64(n.runes)
	case short:
		return tierNone, 0
	}
	if q.runes > 4 && strings.HasSuffix(q.text, "s") && !strings.HasSuffix(n.text, "s") {
		// A plural or a possessive typed without its apostrophe
		// ("orens" for "Orlen's"): compare the stem.
		stem := unit{word: word{text: q.text[:len(q.text)-1], runes: q.runes - 1, sounds: q.sounds, soundsDone: true}}
		if t, quality := matchWord(&stem, n, last, short); t != tierNone {
			return t, quality * 0.97
		}
	}
	longer := max(q.runes, n.runes)
	if k := allowedEdits(longer); k > 0 {
		if d := textmatch.DamerauLevenshtein(q.text, n.text, k); d <= k {
			quality := 1 - float64(d)/float64(longer)
			if sameSound(q, n) {
				quality = min(1, quality+0.05)
			}
			return tierFuzzy, quality
		}
	}
	if last && q.runes >= fuzzyPrefixMin && q.runes < n.runes && sameStart(q.text, n.text) {
		if d := textmatch.DamerauLevenshtein(q.text, runePrefix(n.text, q.runes), 1); d <= 1 {
			return tierFuzzy, (1 - 1/float64(q.runes)) * (0.5 + 0.5*float64(q.runes)/float64(n.runes))
		}
	}
	if min(q.runes, n.runes) >= minSoundRunes && soundsComparable(q, n) && sameSound(q, n) {
		return tierPhonetic, textmatch.JaroWinkler(q.text, n.text)
	}
	return tierNone, 0
}

// soundsComparable rules out sound-alike words of very different lengths
// before their keys are computed: respellings change a length by a few
// letters, not by half.
func soundsComparable(q, n *unit) bool {
	d := q.runes - n.runes
	if d < 0 {
		d = -d
	}
	return d <= max(3, min(q.runes, n.runes)/2)
}

// isPlural reports whether a is b with a plural or possessive s.
func isPlural(a, b string) bool {
	return len(a) == len(b)+1 && a[len(b)] == 's' && a[:len(b)] == b ||
		len(a) == len(b)+2 && a[len(b):] == "es" && a[:len(b)] == b
}

// sameSound reports whether two units share a Double Metaphone key.
func sameSound(a, b *unit) bool {
	a.ensureSounds()
	b.ensureSounds()
	for _, x := range a.sounds {
		if len(x) < minSoundKey {
			continue
		}
		for _, y := range b.sounds {
			if x == y {
				return true
			}
		}
	}
	return false
}

// ensureSounds computes the keys of a joined name unit on first use; most
// joins are never compared by sound.
func (u *unit) ensureSounds() {
	if u.soundsDone {
		return
	}
	u.soundsDone = true
	if u.runes >= minSoundRunes {
		p, a := textmatch.DoubleMetaphoneN(u.text, 0)
		u.sounds = [2]string{p, a}
	}
}

// runePrefix returns the first n runes of s.
func runePrefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// sameStart reports whether two words begin alike (the same first
// letter, or the first two swapped): someone still typing a name has
// nearly always got its first letters right, and the check spares an
// edit distance per name.
func sameStart(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return a[0] == b[0] || len(a) > 1 && len(b) > 1 && a[0] == b[1] && a[1] == b[0]
}
