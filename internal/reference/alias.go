package reference

import (
	"regexp"
	"strings"
	"unicode"
)

// aliasesFor returns the project-written aliases of one record: names from
// published books that the SRD had to drop as product identity, common
// table shorthand, and an ability score's full name.
func aliasesFor(kind string, h header, table map[string][]string) []string {
	var out []string
	if h.FullName != "" && h.FullName != h.Name {
		out = append(out, h.FullName)
	}
	return append(out, table[kind+":"+h.Index]...)
}

// aliasTable is written from D&D knowledge, not from any benchmark: the
// names players know from the books, where the SRD renamed a spell or item
// to drop a character's name, plus a few everyday table names. Keys are
// "kind:slug". It is built per Load so that no package state is shared.
func aliasTable() map[string][]string {
	return map[string][]string{
		"spell:acid-arrow":                        {"Melf's Acid Arrow"},
		"spell:hideous-laughter":                  {"Tasha's Hideous Laughter"},
		"spell:tiny-hut":                          {"Leomund's Tiny Hut"},
		"spell:secret-chest":                      {"Leomund's Secret Chest"},
		"spell:black-tentacles":                   {"Evard's Black Tentacles"},
		"spell:arcane-hand":                       {"Bigby's Hand"},
		"spell:floating-disk":                     {"Tenser's Floating Disk"},
		"spell:faithful-hound":                    {"Mordenkainen's Faithful Hound"},
		"spell:magnificent-mansion":               {"Mordenkainen's Magnificent Mansion"},
		"spell:private-sanctum":                   {"Mordenkainen's Private Sanctum"},
		"spell:arcane-sword":                      {"Mordenkainen's Sword"},
		"spell:resilient-sphere":                  {"Otiluke's Resilient Sphere"},
		"spell:freezing-sphere":                   {"Otiluke's Freezing Sphere"},
		"spell:irresistible-dance":                {"Otto's Irresistible Dance"},
		"spell:telepathic-bond":                   {"Rary's Telepathic Bond"},
		"spell:instant-summons":                   {"Drawmij's Instant Summons"},
		"spell:arcanists-magic-aura":              {"Nystul's Magic Aura"},
		"spell:protection-from-evil-and-good":     {"Protection from Evil"},
		"spell:detect-evil-and-good":              {"Detect Evil"},
		"spell:dispel-evil-and-good":              {"Dispel Evil"},
		"magic_item:handy-haversack":              {"Heward's Handy Haversack"},
		"magic_item:instant-fortress":             {"Daern's Instant Fortress"},
		"magic_item:feather-token":                {"Quaal's Feather Token"},
		"magic_item:marvelous-pigments":           {"Nolzur's Marvelous Pigments"},
		"magic_item:restorative-ointment":         {"Keoghtom's Ointment"},
		"magic_item:apparatus-of-the-crab":        {"Apparatus of Kwalish"},
		"magic_item:potion-of-healing":            {"Healing Potion", "Health Potion"},
		"magic_item:potion-of-healing-greater":    {"Greater Healing Potion"},
		"magic_item:potion-of-healing-superior":   {"Superior Healing Potion"},
		"magic_item:potion-of-healing-supreme":    {"Supreme Healing Potion"},
		"magic_item:stone-of-good-luck-luckstone": {"Luckstone"},
		"monster:deep-gnome-svirfneblin":          {"Svirfneblin"},
		"monster:griffon":                         {"Griffin"},
	}
}

var (
	parenthetical = regexp.MustCompile(`\s*\([^)]*\)`)
	spaces        = regexp.MustCompile(`\s+`)
)

// deriveAliases adds the names players say for SRD names written in index
// order: "Crossbow, light" is a light crossbow, "Rations (1 day)" are
// rations, "Enlarge/Reduce" is cast as Enlarge or as Reduce, and British
// spellings are heard as often as American ones. A derived name that is
// another record's name in the same kind is not used: it would point at
// the wrong card.
func deriveAliases(entries []Entry) {
	taken := make(map[string]bool, len(entries))
	for _, e := range entries {
		taken[strings.ToLower(e.Name)] = true
	}
	for i := range entries {
		e := &entries[i]
		if e.Variant {
			continue
		}
		var cands []string
		base := strings.TrimSpace(spaces.ReplaceAllString(parenthetical.ReplaceAllString(e.Name, ""), " "))
		if head, tail, ok := strings.Cut(base, ", "); ok {
			if !strings.Contains(tail, ",") && e.Kind != KindMonster {
				cands = append(cands, capitalize(tail)+" "+head)
			}
		} else if base != e.Name {
			cands = append(cands, base)
		}
		if a, b, ok := strings.Cut(base, "/"); ok && isWords(a) && isWords(b) {
			cands = append(cands, a, b)
		}
		cands = append(cands, britishSpellings(e.Name)...)
		for _, a := range e.Aliases {
			cands = append(cands, britishSpellings(a)...)
		}
		for _, c := range cands {
			c = strings.TrimSpace(c)
			if c == "" || taken[strings.ToLower(c)] || contains(e.Aliases, c) {
				continue
			}
			e.Aliases = append(e.Aliases, c)
			// One derived name points at one card: "Bardic Inspiration"
			// goes to the first of the (d6) … (d12) records.
			taken[strings.ToLower(c)] = true
		}
	}
}

// britishSpellings returns s with the American spellings the SRD uses
// turned British, when that changes anything ("Mage Armour", "Grey Ooze").
func britishSpellings(s string) []string {
	r := strings.NewReplacer("Armor", "Armour", "armor", "armour", "Gray", "Grey", "gray", "grey",
		"yzed", "ysed", "Defense", "Defence", "defense", "defence")
	if b := r.Replace(s); b != s {
		return []string{b}
	}
	return nil
}

// isWords reports whether s is made of letters and spaces only, so that
// "Enlarge/Reduce" splits and "1/rest" does not.
func isWords(s string) bool {
	if strings.TrimSpace(s) == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != ' ' && r != '\'' && r != '-' {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
