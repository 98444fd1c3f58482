package searchbench

import (
	"math/rand/v2"
	"strings"
)

// Kinds of error a query carries. Every kind is a general rule applied at
// a random place; none knows any particular name.
const (
	errExact     = "exact"
	errDelete    = "deletion"
	errTranspose = "transposition"
	errKeyboard  = "keyboard"
	errDouble    = "double"
	errPhonetic  = "phonetic"
	errSplit     = "split"
	errJoin      = "join"
)

var errorKinds = []string{errDelete, errTranspose, errKeyboard, errDouble, errPhonetic, errSplit, errJoin}

// qwertyNeighbours are the keys next to each letter on a QWERTY keyboard.
var qwertyNeighbours = map[byte]string{
	'q': "wa", 'w': "qeas", 'e': "wrsd", 'r': "etdf", 't': "ryfg", 'y': "tugh", 'u': "yihj", 'i': "uojk", 'o': "ipkl", 'p': "ol",
	'a': "qwsz", 's': "awedxz", 'd': "serfcx", 'f': "drtgvc", 'g': "ftyhbv", 'h': "gyujnb", 'j': "huikmn", 'k': "jiolm", 'l': "kop",
	'z': "asx", 'x': "zsdc", 'c': "xdfv", 'v': "cfgb", 'b': "vghn", 'n': "bhjm", 'm': "njk",
}

// respellings are spellings that sound alike: each may replace the other.
var respellings = [][2]string{{"ph", "f"}, {"c", "k"}, {"y", "i"}, {"ae", "e"}, {"ck", "k"}, {"kh", "k"}, {"th", "t"}, {"gh", "g"}, {"rh", "r"}}

// mutate returns q with one error of the given kind, or ok false when the
// kind does not apply (a one-word query cannot be joined).
func mutate(rng *rand.Rand, q, kind string) (string, bool) {
	words := strings.Fields(strings.ToLower(q))
	switch kind {
	case errExact:
		return strings.Join(words, " "), true
	case errJoin:
		if len(words) < 2 {
			return "", false
		}
		i := rng.IntN(len(words) - 1)
		joined := append(append(append([]string{}, words[:i]...), words[i]+words[i+1]), words[i+2:]...)
		return strings.Join(joined, " "), true
	}
	// The other kinds change one word long enough to bear it.
	var long []int
	for i, w := range words {
		if len(w) >= 4 && isLetters(w) {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return "", false
	}
	i := long[rng.IntN(len(long))]
	w, ok := mutateWord(rng, words[i], kind)
	if !ok {
		return "", false
	}
	words[i] = w
	return strings.Join(words, " "), true
}

func isLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// mutateWord makes one error of kind in w (at least four ASCII letters).
func mutateWord(rng *rand.Rand, w, kind string) (string, bool) {
	switch kind {
	case errDelete:
		i := rng.IntN(len(w))
		return w[:i] + w[i+1:], true
	case errTranspose:
		i := rng.IntN(len(w) - 1)
		if w[i] == w[i+1] {
			return "", false
		}
		return w[:i] + string(w[i+1]) + string(w[i]) + w[i+2:], true
	case errKeyboard:
		i := rng.IntN(len(w))
		near := qwertyNeighbours[w[i]]
		return w[:i] + string(near[rng.IntN(len(near))]) + w[i+1:], true
	case errDouble:
		for i := 0; i+1 < len(w); i++ {
			if w[i] == w[i+1] {
				return w[:i] + w[i+1:], true // undouble
			}
		}
		i := 1 + rng.IntN(len(w)-1)
		return w[:i] + string(w[i]) + w[i:], true
	case errPhonetic:
		return respell(rng, w)
	case errSplit:
		if len(w) < 6 {
			return "", false
		}
		i := 3 + rng.IntN(len(w)-5)
		return w[:i] + " " + w[i:], true
	}
	return "", false
}

// respell replaces one sound-alike spelling, chosen among those w has.
func respell(rng *rand.Rand, w string) (string, bool) {
	type spot struct {
		at       int
		from, to string
	}
	var spots []spot
	for _, r := range respellings {
		for _, dir := range [][2]string{r, {r[1], r[0]}} {
			for at := strings.Index(w, dir[0]); at >= 0; {
				spots = append(spots, spot{at, dir[0], dir[1]})
				next := strings.Index(w[at+1:], dir[0])
				if next < 0 {
					break
				}
				at += next + 1
			}
		}
	}
	// Silent h: dropped after a consonant or at the start.
	for at := 0; at < len(w); at++ {
		if w[at] == 'h' && (at == 0 || !strings.ContainsRune("aeiouy", rune(w[at-1]))) {
			spots = append(spots, spot{at, "h", ""})
		}
	}
	if len(spots) == 0 {
		return "", false
	}
	s := spots[rng.IntN(len(spots))]
	return w[:s.at] + s.to + w[s.at+len(s.from):], true
}
