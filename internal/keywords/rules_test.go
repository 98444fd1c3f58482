package keywords

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestEvents(t *testing.T) {
	terms := append(testTerms(),
		Term{Key: "srd:condition:blinded", Name: "Blinded", Category: "condition", Common: true})
	e := New(terms, Options{})
	type ev struct {
		Kind       string
		Values     map[string]any
		Characters []string
	}
	tests := []struct {
		text string
		want []ev
	}{
		// Dice, spoken and written.
		{"roll two d six plus three", []ev{{EventDice, map[string]any{"count": 2, "sides": 6, "modifier": 3, "notation": "2d6+3"}, nil}}},
		{"that's 2d6+3", []ev{{EventDice, map[string]any{"count": 2, "sides": 6, "modifier": 3, "notation": "2d6+3"}, nil}}},
		{"one d eight minus one", []ev{{EventDice, map[string]any{"count": 1, "sides": 8, "modifier": -1, "notation": "1d8-1"}, nil}}},
		{"roll a d20", []ev{{EventDice, map[string]any{"count": 1, "sides": 20, "modifier": 0, "notation": "1d20"}, nil}}},
		{"roll to d eight", []ev{{EventDice, map[string]any{"count": 2, "sides": 8, "modifier": 0, "notation": "2d8"}, nil}}}, // "two" heard as "to"
		{"twenty dee six", []ev{{EventDice, map[string]any{"count": 20, "sides": 6, "modifier": 0, "notation": "20d6"}, nil}}},
		{"the d seven key", nil}, // no such die
		// Natural rolls.
		{"Bodrik rolls a natural twenty", []ev{{EventNatural, map[string]any{"value": 20}, []string{"Bodrik Stonebrow"}}}},
		{"the ogre swings and rolls a natural twenty", []ev{{EventNatural, map[string]any{"value": 20}, nil}}},
		{"nat 1, ouch", []ev{{EventNatural, map[string]any{"value": 1}, nil}}},
		// Initiative.
		{"Roll for initiative!", []ev{{EventInitiative, map[string]any{"roll": true}, nil}}},
		{"roll initiative the wolves are on us", []ev{{EventInitiative, map[string]any{"roll": true}, nil}}},
		{"what's the initiative order", []ev{{EventInitiative, map[string]any{"roll": false}, nil}}},
		// DCs and saving throws.
		{"it's DC fifteen", []ev{{EventDC, map[string]any{"dc": 15}, nil}}},
		{"the d c is twelve", nil},
		{"d c twelve", []ev{{EventDC, map[string]any{"dc": 12}, nil}}},
		{"Everyone make a Dexterity saving throw", []ev{{EventSave, map[string]any{"ability": "DEX"}, nil}}},
		{"everybody make a dexterity saving throw against the blast", []ev{{EventSave, map[string]any{"ability": "DEX"}, nil}}},
		{"make a wisdom shaver now", nil},
		{"make a wisdom saver now", []ev{{EventSave, map[string]any{"ability": "WIS"}, nil}}},
		{"a DC 15 wisdom save", []ev{{EventSave, map[string]any{"ability": "WIS", "dc": 15}, nil}}},
		{"start making death saving throws", []ev{{EventSave, map[string]any{"ability": "death"}, nil}}},
		// Ability checks.
		{"make a perception check", []ev{{EventCheck, map[string]any{"skill": "perception"}, nil}}},
		{"Tam, roll stealth", []ev{{EventCheck, map[string]any{"skill": "stealth"}, []string{"Tam Ashwick"}}}},
		{"give me a strength check", []ev{{EventCheck, map[string]any{"ability": "STR"}, nil}}},
		// Advantage.
		{"the next attack has advantage", []ev{{EventAdvantage, nil, nil}}},
		{"attacks against her have the advantage now", []ev{{EventAdvantage, nil, nil}}},
		{"you roll with disadvantage", []ev{{EventDisadvantage, nil, nil}}},
		// Damage, healing, attack rolls.
		{"you take twelve fire damage", []ev{{EventDamage, map[string]any{"amount": 12, "type": "fire"}, nil}}},
		{"eight points of necrotic damage", []ev{{EventDamage, map[string]any{"amount": 8, "type": "necrotic"}, nil}}},
		{"that's 2d6 slashing damage", []ev{{EventDamage, map[string]any{"dice": "2d6", "type": "slashing"}, nil}}},
		{"seven damage", []ev{{EventDamage, map[string]any{"amount": 7}, nil}}},
		{"she regains 7 hit points", []ev{{EventHealing, map[string]any{"amount": 7}, nil}}},
		{"Bodrik heals for twelve", []ev{{EventHealing, map[string]any{"amount": 12}, []string{"Bodrik Stonebrow"}}}},
		{"a nineteen to hit", []ev{{EventAttackRoll, map[string]any{"total": 19}, nil}}},
		// Conditions applied to characters.
		{"Bodrik is poisoned", []ev{{EventCondition, map[string]any{"condition": "Poisoned", "applied": true}, []string{"Bodrik Stonebrow"}}}},
		{"bod rick is prone again", []ev{{EventCondition, map[string]any{"condition": "Prone", "applied": true}, []string{"Bodrik Stonebrow"}}}},
		{"Oriel's prone", []ev{{EventCondition, map[string]any{"condition": "Prone", "applied": true}, []string{"Oriel Fenwhistle"}}}},
		{"he's no longer poisoned", []ev{{EventCondition, map[string]any{"condition": "Poisoned", "applied": false, "target": "he"}, nil}}},
		{"you are blinded by the flash", []ev{{EventCondition, map[string]any{"condition": "Blinded", "applied": true, "target": "you"}, nil}}},
		{"I'm stunned that it worked", nil},
		// Several in one segment, in text order.
		{"Xylandra, roll a d20 with advantage", []ev{
			{EventDice, map[string]any{"count": 1, "sides": 20, "modifier": 0, "notation": "1d20"}, []string{"Xylandra Quill"}},
			{EventAdvantage, nil, []string{"Xylandra Quill"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []ev
			for _, x := range Events(tt.text, e.Detect(tt.text)) {
				if x.Text != tt.text[x.Span[0]:x.Span[1]] {
					t.Errorf("event %s: Text %q does not match Span %v", x.Kind, x.Text, x.Span)
				}
				got = append(got, ev{x.Kind, x.Values, x.Characters})
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Events(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestReadNumber(t *testing.T) {
	tests := []struct {
		words      []string
		value, use int
	}{
		{[]string{"twenty", "one", "goblins"}, 21, 2},
		{[]string{"fifteen"}, 15, 1},
		{[]string{"one", "hundred", "and", "five"}, 105, 4},
		{[]string{"two", "hundred"}, 200, 2},
		{[]string{"42"}, 42, 1},
		{[]string{"goblin"}, 0, 0},
	}
	for _, tt := range tests {
		v, n := readNumber(tt.words, 0)
		if v != tt.value || n != tt.use {
			t.Errorf("readNumber(%q) = %d, %d; want %d, %d", tt.words, v, n, tt.value, tt.use)
		}
	}
}
