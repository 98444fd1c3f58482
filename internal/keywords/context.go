package keywords

import (
	"strings"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// Context cues are the words around a candidate that show which sense of
// a name is meant. A score of 1 or more is enough to report a Common term;
// for other terms each point moves the confidence by contextWeight.
const contextWeight = 0.05

// Categories the cues know. Campaign categories (pc, npc …) have none.
const (
	catSpell     = "spell"
	catMonster   = "monster"
	catCondition = "condition"
	catMagicItem = "magic_item"
	catEquipment = "equipment"
)

// cueScore rates the words around tokens [i, j) as evidence that they name
// a term of the category: positive for game usage, negative for everyday
// usage.
func cueScore(category string, toks []textmatch.Token, i, j int) float64 {
	w := func(k int) string {
		if k < 0 || k >= len(toks) {
			return ""
		}
		return toks[k].Text
	}
	p1, p2, n1 := w(i-1), w(i-2), w(j)
	score := 0.0
	switch category {
	case catSpell:
		if castVerb(p1) || (isArticle(p1) && castVerb(p2)) {
			score++
		}
		if n1 == "spell" || n1 == "spells" || n1 == "cantrip" || n1 == "ritual" {
			score++
		}
		if isPossessive(p1) {
			// "my shield", "his command": the everyday noun.
			score--
		}
	case catCondition:
		switch {
		case copulaBefore(toks, i) >= 0:
			score++
		case p1 == "knocked" || p1 == "fall" || p1 == "falls" || p1 == "fell" || p1 == "falling" || p1 == "lies" || p1 == "lying" || p1 == "left":
			score++
		case p1 == "of" && (p2 == "level" || p2 == "levels" || p2 == "point" || p2 == "points"):
			score++
		}
		switch n1 {
		case "by", "until", "condition", "for":
			score++
		case "that":
			// "stunned that it worked": a feeling, not the condition.
			score--
		}
	case catMonster:
		if isNumberWord(p1) {
			score += 0.5
		}
		switch n1 {
		case "attacks", "attack", "bites", "claws", "hits", "charges", "swings", "casts", "breathes", "appears", "appear", "attack's":
			score += 0.5
		}
	case catMagicItem:
		switch p1 {
		case "use", "uses", "using", "wear", "wears", "wearing", "drink", "drinks", "attune", "attuned", "activate", "activates", "read", "reads", "draw", "draws":
			score += 0.5
		}
	case catEquipment:
		switch p1 {
		case "buy", "buys", "sell", "sells", "wield", "wields", "equip", "equips", "draw", "draws":
			score++
		}
	default:
		// Skills, abilities, damage types and the like are game terms
		// when a roll or damage is attached.
		switch n1 {
		case "check", "checks", "save", "saves", "saving", "damage", "proficiency":
			score++
		}
		if p1 == "roll" || p1 == "rolls" || p1 == "make" || p1 == "makes" {
			score++
		}
	}
	return score
}

// frameAt returns the category that the words before token i call for:
// "cast", "casting a" … announce a spell. It is "" when they call for
// nothing in particular.
func frameAt(toks []textmatch.Token, i int) string {
	w := func(k int) string {
		if k < 0 {
			return ""
		}
		return toks[k].Text
	}
	if p1, p2 := w(i-1), w(i-2); castVerb(p1) || isArticle(p1) && castVerb(p2) {
		return catSpell
	}
	return ""
}

func castVerb(w string) bool {
	switch w {
	case "cast", "casts", "casting", "casted", "recast", "upcast", "use", "uses", "used", "using",
		"prepare", "prepared", "prepares", "learn", "learns", "learned", "counterspell":
		return true
	}
	return false
}

func isArticle(w string) bool { return w == "a" || w == "an" || w == "the" }

func isPossessive(w string) bool {
	switch w {
	case "my", "your", "his", "her", "its", "our", "their":
		return true
	}
	return false
}

// isCopula reports a linking verb before a state: "is", "are", "gets",
// and contractions the tokenizer keeps in Raw ("he's", "I'm", "you're").
func isCopula(toks []textmatch.Token, k int) bool {
	if k < 0 || k >= len(toks) {
		return false
	}
	switch toks[k].Text {
	case "is", "are", "am", "was", "were", "be", "been", "being", "become", "becomes", "became",
		"get", "gets", "got", "getting", "remain", "remains", "stays", "im", "youre", "theyre",
		"hes", "shes", "thats":
		return true
	}
	raw := strings.ToLower(toks[k].Raw)
	return strings.HasSuffix(raw, "'s") || strings.HasSuffix(raw, "\u2019s")
}

// copulaBefore returns the index of the linking verb before token i,
// allowing up to two state adverbs between ("is no longer prone"), or -1.
func copulaBefore(toks []textmatch.Token, i int) int {
	p := i - 1
	for n := 0; n < 2 && p >= 0 && stateAdverb(toks[p].Text); n++ {
		p--
	}
	if isCopula(toks, p) {
		return p
	}
	return -1
}

// stateAdverb reports words that may stand between a copula and a state
// ("is still prone", "is no longer prone", "is fully restrained"): the
// closed class of aspect and negation words, and adverbs in -ly.
func stateAdverb(w string) bool {
	switch w {
	case "still", "now", "also", "already", "no", "not", "never", "longer", "again":
		return true
	}
	return len(w) > 4 && strings.HasSuffix(w, "ly")
}

func isNumberWord(w string) bool {
	if _, ok := numberValue(w); ok {
		return true
	}
	switch w {
	case "a", "an", "the", "some", "several", "many", "few":
		return true
	}
	return false
}
