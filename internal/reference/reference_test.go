package reference

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/testenv"
)

// srdDir is the 5e-database folder the tests read (testenv.SRDDir).
func srdDir(t *testing.T) string { t.Helper(); return testenv.SRDDir(t) }

func loadSRD(t *testing.T) map[string]Entry {
	t.Helper()
	entries, err := Load(srdDir(t))
	if err != nil {
		t.Fatal(err)
	}
	byKey := make(map[string]Entry, len(entries))
	for _, e := range entries {
		byKey[e.Kind+":"+e.Slug] = e
	}
	return byKey
}

func TestLoadSRDEveryEntryIsComplete(t *testing.T) {
	byKey := loadSRD(t)
	counts := map[string]int{}
	for key, e := range byKey {
		counts[e.Kind]++
		if e.Name == "" || e.Card.Summary == "" {
			t.Errorf("%s: empty name or summary: %+v", key, e.Card)
		}
		if e.Card.Attribution != Attribution {
			t.Errorf("%s: card without the CC-BY attribution", key)
		}
		var idx struct{ Index string }
		if err := json.Unmarshal(e.Data, &idx); err != nil || idx.Index != e.Slug {
			t.Errorf("%s: Data is not the original record (index %q, err %v)", key, idx.Index, err)
		}
	}
	for _, kind := range []string{KindSpell, KindMonster, KindCondition, KindMagicItem, KindEquipment, "feature", "skill"} {
		if counts[kind] == 0 {
			t.Errorf("no %s entries loaded", kind)
		}
	}
}

func TestLoadSRDCards(t *testing.T) {
	byKey := loadSRD(t)
	bonus := func(n int) *int { return &n }
	tests := []struct {
		key  string
		want Card
	}{
		{"spell:fireball", Card{
			Summary: "Level 3 evocation · 1 action · 150 feet · V, S, M · Instantaneous",
			Spell: &SpellFacts{Level: 3, School: "Evocation", CastingTime: "1 action", Range: "150 feet",
				Components: []string{"V", "S", "M"}, Duration: "Instantaneous"},
		}},
		{"monster:goblin", Card{
			Summary: "Small humanoid (goblinoid), neutral evil · AC 15 · HP 7 (2d6) · Speed 30 ft. · CR 1/4 (50 XP)",
			Monster: &MonsterFacts{Size: "Small", Type: "humanoid (goblinoid)", Alignment: "neutral evil",
				AC: 15, ACNote: "armor", HP: 7, HitDice: "2d6", Speed: "30 ft.", CR: "1/4", XP: 50,
				Attacks: []Attack{{Name: "Scimitar", Bonus: bonus(4), Damage: "1d6+2 slashing"},
					{Name: "Shortbow", Bonus: bonus(4), Damage: "1d6+2 piercing"}}},
		}},
		{"magic_item:bag-of-holding", Card{
			Summary: "Wondrous item, uncommon",
			Item:    &ItemFacts{Category: "Wondrous Items", Rarity: "Uncommon"},
		}},
		{"equipment:longsword", Card{
			Summary: "Martial Melee weapon · 15 gp · 1d8 slashing · Versatile",
			Item:    &ItemFacts{Category: "Weapon", Cost: "15 gp", Damage: "1d8 slashing", Properties: []string{"Versatile"}},
		}},
	}
	ignore := func(p cmp.Path) bool {
		switch p.Last().String() {
		case ".Text", ".Attribution", ".Material":
			return true
		}
		return false
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			e, ok := byKey[tt.key]
			if !ok {
				t.Fatalf("%s not loaded", tt.key)
			}
			if diff := cmp.Diff(tt.want, e.Card, cmp.FilterPath(ignore, cmp.Ignore())); diff != "" {
				t.Errorf("card (-want +got):\n%s", diff)
			}
			if (e.Card.Spell != nil || e.Kind == KindMagicItem) && !strings.HasSuffix(e.Card.Text, ".") {
				t.Errorf("Text = %q, want the description's first sentence", e.Card.Text)
			}
		})
	}
	if c := byKey["condition:blinded"].Card; len(c.Effects) < 2 || strings.HasPrefix(c.Effects[0], "-") {
		t.Errorf("Blinded effects = %q, want its bullet lines without markers", c.Effects)
	}
	if s := byKey["spell:bless"].Card.Summary; !strings.Contains(s, "Concentration, up to 1 minute") {
		t.Errorf("Bless summary = %q, want the concentration duration", s)
	}
}

// TestAliasTableMatchesData keeps the hand-written table from pointing at
// records that do not exist (a typo, or a renamed index upstream).
func TestAliasTableMatchesData(t *testing.T) {
	byKey := loadSRD(t)
	for key, aliases := range aliasTable() {
		e, ok := byKey[key]
		if !ok {
			t.Errorf("alias table key %s: no such record", key)
			continue
		}
		for _, a := range aliases {
			if !contains(e.Aliases, a) {
				t.Errorf("%s: alias %q missing from %q", key, a, e.Aliases)
			}
		}
	}
	for key, want := range map[string]string{
		"spell:hideous-laughter":         "Tasha's Hideous Laughter",
		"spell:enlarge-reduce":           "Enlarge",
		"equipment:crossbow-light":       "Light Crossbow",
		"equipment:rations-1-day":        "Rations",
		"monster:gray-ooze":              "Grey Ooze",
		"ability_score:str":              "Strength",
		"magic_item:potion-of-healing":   "Healing Potion",
		"monster:deep-gnome-svirfneblin": "Deep Gnome",
	} {
		if !contains(byKey[key].Aliases, want) {
			t.Errorf("%s aliases = %q, want %q among them", key, byKey[key].Aliases, want)
		}
	}
}
