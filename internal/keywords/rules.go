package keywords

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// Kinds of rule events.
const (
	EventDice         = "dice"          // values: count, sides, modifier, notation
	EventNatural      = "natural"       // values: value (1 or 20)
	EventInitiative   = "initiative"    // values: roll (true when asked to roll)
	EventDC           = "dc"            // values: dc
	EventSave         = "saving_throw"  // values: ability, dc (when said)
	EventCheck        = "ability_check" // values: skill or ability
	EventAdvantage    = "advantage"     // no values
	EventDisadvantage = "disadvantage"  // no values
	EventDamage       = "damage"        // values: amount or dice, type
	EventHealing      = "healing"       // values: amount
	EventAttackRoll   = "attack_roll"   // values: total
	EventCondition    = "condition"     // values: condition, applied; Characters: who
)

// Event is a rule phrase recognised in a transcript segment, for features
// that act on it: open initiative, track hit points, note a condition.
type Event struct {
	Kind string `json:"kind"`
	// Values hold the event's numbers and names (see the Event constants).
	Values map[string]any `json:"values,omitempty"`
	// Characters are the canonical names of the campaign characters the
	// phrase is about: the one who rolls, the one who is poisoned.
	Characters []string `json:"characters,omitempty"`
	// Span holds the byte offsets [start, end) of the phrase in the text.
	Span [2]int `json:"span"`
	// Text is the phrase as spoken.
	Text string `json:"text"`
}

// word is one word of the canonical form rules are matched against:
// lower case, numbers as digits, dice notation split ("2d6" → 2 d 6).
type word struct {
	w          string
	start, end int // byte offsets in the original text
}

// canon is a text in canonical form with a map back to the original.
type canon struct {
	s     string
	words []word
	pos   []int // byte offset of each word in s
}

func canonicalize(text string) canon {
	toks := textmatch.Tokenize(text)
	raw := make([]word, 0, len(toks)+4)
	prevEnd := 0
	for _, t := range toks {
		gap := text[prevEnd:t.Start]
		prevEnd = t.End
		if n := len(raw); n > 0 && isDigits(raw[n-1].w) || n > 0 && raw[n-1].w == "d" {
			// "2d6+3", "1d8 - 1": signs the tokenizer drops.
			if strings.Contains(gap, "+") {
				raw = append(raw, word{"plus", t.Start, t.Start})
			} else if strings.Contains(gap, "-") {
				raw = append(raw, word{"minus", t.Start, t.Start})
			}
		}
		if c, d, s, ok := splitDice(t.Text); ok {
			if c != "" {
				raw = append(raw, word{c, t.Start, t.End})
			}
			raw = append(raw, word{d, t.Start, t.End}, word{s, t.Start, t.End})
			continue
		}
		raw = append(raw, word{t.Text, t.Start, t.End})
	}
	texts := make([]string, len(raw))
	for i, w := range raw {
		texts[i] = w.w
	}
	var c canon
	var b strings.Builder
	for i := 0; i < len(raw); {
		w := raw[i]
		if v, n := readNumber(texts, i); n > 0 {
			w = word{strconv.Itoa(v), raw[i].start, raw[i+n-1].end}
			i += n
		} else {
			i++
			if (w.w == "dee" || w.w == "die") && i < len(texts) {
				if _, ok := numberValue(texts[i]); ok {
					w.w = "d" // "two dee six"
				}
			}
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		c.pos = append(c.pos, b.Len())
		b.WriteString(w.w)
		c.words = append(c.words, w)
	}
	c.s = b.String()
	return c
}

// splitDice splits "2d6" into "2", "d", "6" and "d20" into "", "d", "20".
func splitDice(t string) (count, d, sides string, ok bool) {
	i := strings.IndexByte(t, 'd')
	if i < 0 || i == len(t)-1 || !isDigits(t[i+1:]) || (i > 0 && !isDigits(t[:i])) {
		return "", "", "", false
	}
	return t[:i], "d", t[i+1:], true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// span maps a byte range of c.s back to the original text.
func (c canon) span(from, to int) [2]int {
	first, last := -1, -1
	for i, p := range c.pos {
		if p >= to {
			break
		}
		if p+len(c.words[i].w) > from {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return [2]int{0, 0}
	}
	return [2]int{c.words[first].start, c.words[last].end}
}

const (
	abilityRE = `strength|dexterity|constitution|intelligence|wisdom|charisma|str|dex|con|int|wis|cha`
	skillRE   = `acrobatics|animal handling|arcana|athletics|deception|history|insight|intimidation|investigation|medicine|nature|perception|performance|persuasion|religion|sleight of hand|stealth|survival`
	typeRE    = `acid|bludgeoning|cold|fire|force|lightning|necrotic|piercing|poison|psychic|radiant|slashing|thunder`
	// diceRE accepts "to"/"too"/"for" as a count: recognisers write the
	// number words as their homophones ("roll to d six").
	diceRE = `(?:(\d+|a|to|too|for) )?d (2|3|4|6|8|10|12|20|100)(?: (plus|minus) (\d+))?`
)

// rule is one pattern and the event it makes.
type rule struct {
	kind string
	re   *regexp.Regexp
	make func(m []string) map[string]any // nil values for none
}

// rules are the patterns, most specific first: a damage phrase contains a
// dice phrase, a saving throw may contain a DC. Compiled regexps are safe
// for concurrent use and never change.
var rules = newRules()

func newRules() []rule {
	re := func(s string) *regexp.Regexp { return regexp.MustCompile(`\b(?:` + s + `)\b`) }
	return []rule{
		{EventDamage, re(`(?:(\d+)|` + diceRE + `)(?: points? of)?(?: (` + typeRE + `))? damage`), damageValues},
		{EventDice, re(diceRE), diceValues},
		{EventNatural, re(`(?:natural|nat) (1|20)`), func(m []string) map[string]any {
			return map[string]any{"value": atoi(m[1])}
		}},
		{EventInitiative, re(`(?:(roll(?:s|ed|ing)?)(?: for)? )?initiative`), func(m []string) map[string]any {
			return map[string]any{"roll": m[1] != ""}
		}},
		{EventSave, re(`(?:dc (\d+) )?(` + abilityRE + `|death) sav\w*(?: throws?)?(?: dc (\d+))?`), saveValues},
		{EventDC, re(`(?:dc|d c|difficulty class) (\d+)`), func(m []string) map[string]any {
			return map[string]any{"dc": atoi(m[1])}
		}},
		{EventCheck, re(`(` + skillRE + `|` + abilityRE + `) checks?|roll(?:s|ing)? (?:for |a )?(` + skillRE + `)`), checkValues},
		{EventAdvantage, re(`advantage`), nil},
		{EventDisadvantage, re(`disadvantage`), nil},
		{EventHealing, re(`(?:heals?|healed|regains?|regained|recovers?) (?:for )?(\d+)(?: hit points?| hp)?`), func(m []string) map[string]any {
			return map[string]any{"amount": atoi(m[1])}
		}},
		{EventAttackRoll, re(`(\d+) to hit`), func(m []string) map[string]any {
			return map[string]any{"total": atoi(m[1])}
		}},
	}
}

func diceValues(m []string) map[string]any {
	count := 1
	switch m[1] {
	case "", "a":
	case "to", "too":
		count = 2
	case "for":
		count = 4
	default:
		count = atoi(m[1])
	}
	sides := atoi(m[2])
	mod := 0
	if m[4] != "" {
		mod = atoi(m[4])
		if m[3] == "minus" {
			mod = -mod
		}
	}
	notation := strconv.Itoa(count) + "d" + strconv.Itoa(sides)
	if mod > 0 {
		notation += "+" + strconv.Itoa(mod)
	} else if mod < 0 {
		notation += strconv.Itoa(mod)
	}
	return map[string]any{"count": count, "sides": sides, "modifier": mod, "notation": notation}
}

func damageValues(m []string) map[string]any {
	v := map[string]any{}
	if m[1] != "" {
		v["amount"] = atoi(m[1])
	} else {
		v["dice"] = diceValues(m[1:6])["notation"]
	}
	if m[6] != "" {
		v["type"] = m[6]
	}
	return v
}

func saveValues(m []string) map[string]any {
	v := map[string]any{"ability": abilityName(m[2])}
	if dc := m[1] + m[3]; dc != "" {
		v["dc"] = atoi(dc)
	}
	return v
}

func checkValues(m []string) map[string]any {
	s := m[1] + m[2]
	if a := abilityName(s); a != s {
		return map[string]any{"ability": a}
	}
	return map[string]any{"skill": s}
}

// abilityName turns a spoken ability into its abbreviation (DEX); other
// words are returned unchanged.
func abilityName(s string) string {
	switch s {
	case "strength", "str":
		return "STR"
	case "dexterity", "dex":
		return "DEX"
	case "constitution", "con":
		return "CON"
	case "intelligence", "int":
		return "INT"
	case "wisdom", "wis":
		return "WIS"
	case "charisma", "cha":
		return "CHA"
	}
	return s
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
