package keywords

import (
	"strings"

	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// FromReference turns SRD entries into terms: every record that names a
// thing a table talks about. Level tables, rule chapters, equipment
// categories and proficiencies are left out: they only index other
// records. A variant that repeats an earlier record's name in its kind
// (the "Potion of Healing" variant of "Potion of Healing") is left out too,
// so that one name points at one card.
func FromReference(entries []reference.Entry) []Term {
	seen := make(map[string]bool, len(entries))
	terms := make([]Term, 0, len(entries))
	for _, e := range entries {
		switch e.Kind {
		case "level", "rule", "equipment_category", "proficiency":
			continue
		}
		id := e.Kind + ":" + textmatch.Fold(e.Name)
		if seen[id] {
			continue
		}
		seen[id] = true
		terms = append(terms, Term{
			Key:      "srd:" + e.Kind + ":" + e.Slug,
			Name:     e.Name,
			Aliases:  e.Aliases,
			Category: e.Kind,
			Source:   "srd",
			Ref:      e.Kind + "/" + e.Slug,
			Common:   commonKind(e.Kind) || everydayName(e.Name),
		})
	}
	return terms
}

// commonKind lists the SRD kinds whose names are ordinary words at the
// table: a condition is an adjective ("stunned"), equipment is the things
// everyone carries, and classes, races, skills and the like are said all
// evening without anyone needing their card.
func commonKind(kind string) bool {
	switch kind {
	case "condition", "equipment", "class", "subclass", "race", "subrace", "skill", "ability_score",
		"alignment", "damage_type", "language", "magic_school", "weapon_property", "rule_section", "trait":
		return true
	}
	return false
}

// everydayName reports SRD names of spells, monsters, items and features
// that are also everyday English words, whose everyday sense is the more
// frequent one in table talk ("I raise my shield", "the cat", "I need to
// sleep"). Written from English usage for the whole SRD, not from any
// test sentence.
func everydayName(name string) bool {
	switch strings.ToLower(name) {
	// Spells.
	case "aid", "alarm", "augury", "awaken", "bane", "bless", "blight", "blink", "blur", "clone",
		"command", "commune", "compulsion", "confusion", "contagion", "contingency", "creation",
		"darkness", "daylight", "divination", "dream", "earthquake", "enlarge/reduce", "entangle",
		"enthrall", "fabricate", "fear", "fly", "foresight", "gate", "grease", "guidance", "hallow",
		"harm", "haste", "heal", "heroism", "identify", "imprisonment", "jump", "knock", "light",
		"maze", "mending", "message", "mislead", "regenerate", "resistance", "resurrection",
		"sanctuary", "seeming", "sending", "sequester", "shatter", "shield", "silence", "sleep",
		"slow", "suggestion", "sunbeam", "sunburst", "symbol", "teleport", "tongues", "web", "weird",
		"wish", "antipathy/sympathy", "blindness/deafness":
		return true
	// Monsters that are animals or ordinary people, and creatures named
	// by an everyday word.
	case "acolyte", "ape", "assassin", "baboon", "badger", "bandit", "bat", "berserker", "boar",
		"camel", "cat", "commoner", "crab", "crocodile", "deer", "druid", "eagle", "elephant", "elk",
		"frog", "ghost", "gladiator", "goat", "guard", "hawk", "hyena", "jackal", "knight", "lion",
		"lizard", "mage", "mammoth", "mastiff", "mule", "nightmare", "noble", "octopus", "owl",
		"panther", "pony", "priest", "rat", "raven", "rhinoceros", "scorpion", "scout", "shadow",
		"solar", "spider", "spy", "thug", "tiger", "veteran", "vulture", "weasel", "wolf", "sprite":
		return true
	// Items and class features.
	case "defender", "elusive", "evasion", "expertise", "frenzy", "rage", "retaliation",
		"survivor", "tranquility", "vanish":
		return true
	}
	return false
}
