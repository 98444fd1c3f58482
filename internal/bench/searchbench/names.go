package searchbench

import (
	"math/rand/v2"
	"strings"
)

// Syllable parts of invented names. The sets are ordinary fantasy-name
// fare (ph, th, kh, ae, y) so that the phonetic respellings the query
// generator makes have something to work on.
var (
	onsets = []string{"b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "k", "kh", "l", "m", "n", "p", "ph",
		"r", "s", "sh", "st", "t", "th", "tr", "v", "w", "x", "z", "", ""}
	vowels = []string{"a", "e", "i", "o", "u", "a", "e", "o", "ae", "ai", "ei", "y", "ia", "ou"}
	codas  = []string{"", "", "", "n", "r", "l", "s", "th", "x", "nd", "rn", "ck", "ll", "ss", "m", "k", "d"}
	// Compound surnames and place names, like "Stonebeard".
	firsts  = []string{"stone", "iron", "black", "ash", "storm", "frost", "oak", "gold", "silver", "raven", "wolf", "thorn", "ember", "dusk", "high", "deep"}
	seconds = []string{"beard", "fist", "hammer", "grove", "wood", "brook", "mantle", "shield", "helm", "wick", "vale", "born", "water", "fell", "heart", "crown"}
	titles  = []string{"Lord", "Lady", "Captain", "Brother", "Sister", "Magister", "Old", "Sir"}
	places  = []string{"Keep", "Hollow", "Ford", "Reach", "Spire", "Crossing", "Vale", "Hold", "Tower", "Marsh"}
	adjs    = []string{"Ember", "Shattered", "Silent", "Crimson", "Hollow", "Sunken", "Ashen", "Gilded", "Broken", "Drowned"}
	nouns   = []string{"Crown", "Conclave", "Oath", "Lantern", "Throne", "Covenant", "Blade", "Circle", "Tide", "Pact"}
)

// namer invents names from syllables, deterministically for a seed.
type namer struct {
	rng *rand.Rand
}

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// word is an invented word of two or three syllables.
func (n namer) word() string {
	var b strings.Builder
	count := 2 + n.rng.IntN(2)
	for i := range count {
		b.WriteString(pick(n.rng, onsets))
		b.WriteString(pick(n.rng, vowels))
		if i == count-1 || n.rng.IntN(3) == 0 {
			b.WriteString(pick(n.rng, codas))
		}
	}
	return capitalize(b.String())
}

func (n namer) compound() string {
	return capitalize(pick(n.rng, firsts) + pick(n.rng, seconds))
}

// person returns a name and the aliases players would use for it.
func (n namer) person() (string, []string) {
	first := n.word()
	last := n.word()
	if n.rng.IntN(3) == 0 {
		last = n.compound()
	}
	switch n.rng.IntN(6) {
	case 0:
		title := pick(n.rng, titles)
		return title + " " + first + " " + last, []string{first, title + " " + last}
	case 1, 2:
		return first + " " + last, []string{first}
	case 3:
		return first, nil
	}
	return first + " " + last, nil
}

// place returns a location name.
func (n namer) place() string {
	w := n.word()
	switch n.rng.IntN(5) {
	case 0:
		return "Caer " + w
	case 1:
		return w + "'s " + pick(n.rng, places)
	case 2:
		return n.compound()
	case 3:
		return w + " " + pick(n.rng, places)
	}
	return w
}

// plot returns a plot thread's title.
func (n namer) plot() string {
	if n.rng.IntN(2) == 0 {
		return "The " + pick(n.rng, adjs) + " " + pick(n.rng, nouns)
	}
	return "Shadow of " + n.word()
}
