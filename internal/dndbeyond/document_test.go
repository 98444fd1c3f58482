package dndbeyond_test

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/dndbeyond"
)

func TestParseShapes(t *testing.T) {
	t.Parallel()
	bare := `{"id":7,"name":"  Ash  ","stats":[{"id":1,"value":10}],"classes":[{"level":1,"definition":{"name":"Fighter"}}]}`
	tests := []struct {
		name, doc string
		want      error
	}{
		{"bare", bare, nil},
		{"service envelope", `{"id":0,"success":true,"data":` + bare + `}`, nil},
		{"ddb-proxy envelope", `{"success":true,"ddb":{"character":` + bare + `}}`, nil},
		{"service error", `{"success":false,"message":"An unexpected error has occured","data":{"serverMessage":"Unauthorized Access Attempt."}}`, dndbeyond.ErrPrivate},
		{"ddb-proxy refusal", `{"success":false,"message":"Character must be set to public in order to be accessible."}`, dndbeyond.ErrPrivate},
		{"other service error", `{"success":false,"message":"Oops","data":null}`, dndbeyond.ErrMalformed},
		{"not JSON", `{"id":`, dndbeyond.ErrMalformed},
		{"array", `[1,2]`, dndbeyond.ErrMalformed},
		{"no character", `{"hello":"world"}`, dndbeyond.ErrMalformed},
		{"no id", `{"data":{"name":"x","stats":[],"classes":[{"level":1}]}}`, dndbeyond.ErrMalformed},
		{"no class", `{"data":{"id":3,"stats":[],"classes":[]}}`, dndbeyond.ErrMalformed},
		{"wrong type", `{"data":{"id":3,"stats":"many","classes":[{"level":1}]}}`, dndbeyond.ErrMalformed},
	}
	for _, tc := range tests {
		c, err := dndbeyond.Parse([]byte(tc.doc))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Parse error = %v, want %v", tc.name, err, tc.want)
			continue
		}
		if err == nil && (c.ID != 7 || c.Name != "Ash") {
			t.Errorf("%s: Parse = id %d name %q, want 7 %q", tc.name, c.ID, c.Name, "Ash")
		}
	}
}

// doc builds a level-`level` character of one class from parts of a
// document, for the rules the fixtures do not exercise.
func doc(t *testing.T, parts string) *dndbeyond.Sheet {
	t.Helper()
	c, err := dndbeyond.Parse([]byte(`{"id":1,"stats":[{"id":1,"value":16},{"id":2,"value":14},{"id":3,"value":14},{"id":4,"value":10},{"id":5,"value":12},{"id":6,"value":8}],` +
		`"race":{"weightSpeeds":{"normal":{"walk":30,"fly":0,"swim":0,"climb":0}}},"baseHitPoints":30` + parts + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return dndbeyond.Compute(c)
}

const (
	fighter4  = `,"classes":[{"id":1,"level":4,"isStartingClass":true,"definition":{"name":"Fighter"}}]`
	barbarian = `,"classes":[{"id":1,"level":4,"isStartingClass":true,"definition":{"name":"Barbarian"},"classFeatures":[{"definition":{"id":10,"requiredLevel":1}}]}]` +
		`,"modifiers":{"class":[{"type":"set","subType":"unarmored-armor-class","statId":3,"componentId":10}]}`
	monk = `,"classes":[{"id":1,"level":4,"isStartingClass":true,"definition":{"name":"Monk"},"classFeatures":[{"definition":{"id":10,"requiredLevel":1}},{"definition":{"id":11,"requiredLevel":2}}]}]` +
		`,"modifiers":{"class":[{"type":"set","subType":"unarmored-armor-class","statId":5,"componentId":10},{"type":"bonus","subType":"unarmored-movement","value":10,"componentId":11}]}`
	shield    = `{"equipped":true,"quantity":1,"definition":{"id":8,"name":"Shield","armorClass":2,"armorTypeId":4}}`
	plate     = `{"equipped":true,"quantity":1,"definition":{"id":9,"name":"Plate","armorClass":18,"armorTypeId":3}}`
	halfPlate = `{"equipped":true,"quantity":1,"definition":{"id":9,"name":"Half Plate","armorClass":15,"armorTypeId":2}}`
)

func TestComputeRules(t *testing.T) {
	t.Parallel()
	// Base scores: STR 16, DEX 14 (+2), CON 14 (+2), INT 10, WIS 12 (+1), CHA 8.
	tests := []struct {
		name  string
		parts string
		check func(s *dndbeyond.Sheet) (got, want any)
	}{
		{"heavy armour ignores DEX", fighter4 + `,"inventory":[` + plate + `]`,
			func(s *dndbeyond.Sheet) (any, any) { return s.ArmorClass, 18 }},
		{"heavy armour too heavy slows", fighter4 + `,"inventory":[` + strings.Replace(plate, `"armorTypeId":3`, `"armorTypeId":3,"strengthRequirement":17`, 1) + `]`,
			func(s *dndbeyond.Sheet) (any, any) { return s.Speeds.Walk, 20 }},
		{"heavy armour strong enough", fighter4 + `,"inventory":[` + strings.Replace(plate, `"armorTypeId":3`, `"armorTypeId":3,"strengthRequirement":15`, 1) + `]`,
			func(s *dndbeyond.Sheet) (any, any) { return s.Speeds.Walk, 30 }},
		{"medium armour caps DEX at 2, shield adds", fighter4 + `,"stats":[{"id":2,"value":18}],"inventory":[` + halfPlate + `,` + shield + `]`,
			func(s *dndbeyond.Sheet) (any, any) { return s.ArmorClass, 15 + 2 + 2 }},
		{"unarmoured", fighter4, func(s *dndbeyond.Sheet) (any, any) { return s.ArmorClass, 12 }},
		{"barbarian unarmoured defence with shield", barbarian + `,"inventory":[` + shield + `]`,
			func(s *dndbeyond.Sheet) (any, any) { return s.ArmorClass, 10 + 2 + 2 + 2 }},
		{"barbarian in armour", barbarian + `,"inventory":[` + plate + `]`,
			func(s *dndbeyond.Sheet) (any, any) { return s.ArmorClass, 18 }},
		{"monk unarmoured", monk, func(s *dndbeyond.Sheet) (any, any) { return []int{s.ArmorClass, s.Speeds.Walk}, []int{10 + 2 + 1, 40} }},
		{"monk with shield loses unarmoured defence and movement", monk + `,"inventory":[` + shield + `]`,
			func(s *dndbeyond.Sheet) (any, any) { return []int{s.ArmorClass, s.Speeds.Walk}, []int{10 + 2 + 2, 30} }},
		{"AC override", fighter4 + `,"characterValues":[{"typeId":1,"value":21}]`,
			func(s *dndbeyond.Sheet) (any, any) { return s.ArmorClass, 21 }},
		{"AC magic and misc bonus", fighter4 + `,"characterValues":[{"typeId":2,"value":1},{"typeId":3,"value":2}]`,
			func(s *dndbeyond.Sheet) (any, any) { return s.ArmorClass, 15 }},
		{"unattuned item does not count", fighter4 + `,"inventory":[{"equipped":true,"isAttuned":false,"definition":{"id":50,"canAttune":true}}]` +
			`,"modifiers":{"item":[{"type":"bonus","subType":"armor-class","value":1,"componentId":50},{"type":"set","subType":"strength-score","value":21,"componentId":50}]}`,
			func(s *dndbeyond.Sheet) (any, any) {
				return []int{s.ArmorClass, s.Abilities["str"].Score}, []int{12, 16}
			}},
		{"attuned item counts, set raises the score", fighter4 + `,"inventory":[{"equipped":true,"isAttuned":true,"definition":{"id":50,"canAttune":true}}]` +
			`,"modifiers":{"item":[{"type":"bonus","subType":"armor-class","value":1,"componentId":50},{"type":"set","subType":"strength-score","value":21,"componentId":50}]}`,
			func(s *dndbeyond.Sheet) (any, any) {
				return []int{s.ArmorClass, s.Abilities["str"].Score, s.Abilities["str"].Modifier}, []int{13, 21, 5}
			}},
		{"unequipped item does not count", fighter4 + `,"inventory":[{"equipped":false,"definition":{"id":50}}]` +
			`,"modifiers":{"item":[{"type":"bonus","subType":"armor-class","value":1,"componentId":50}]}`,
			func(s *dndbeyond.Sheet) (any, any) { return s.ArmorClass, 12 }},
		{"bonuses cap at 20, other modifier and override do not", fighter4 + `,"bonusStats":[{"id":2,"value":1}],"overrideStats":[{"id":6,"value":3}]` +
			`,"modifiers":{"race":[{"type":"bonus","subType":"strength-score","value":2},{"type":"bonus","subType":"strength-score","value":4},{"type":"bonus","subType":"choose-an-ability-score","value":1}]}`,
			func(s *dndbeyond.Sheet) (any, any) {
				return []int{s.Abilities["str"].Score, s.Abilities["dex"].Score, s.Abilities["cha"].Score, s.Abilities["cha"].Modifier}, []int{20, 15, 3, -4}
			}},
		{"max HP: base + CON and Tough per level + modifier", fighter4 + `,"bonusHitPoints":5,"modifiers":{"feat":[{"type":"bonus","subType":"hit-points-per-level","value":2}]}`,
			func(s *dndbeyond.Sheet) (any, any) { return s.MaxHP, 30 + (2+2)*4 + 5 }},
		{"max HP override", fighter4 + `,"overrideHitPoints":99`, func(s *dndbeyond.Sheet) (any, any) { return s.MaxHP, 99 }},
		{"jack of all trades and expertise", fighter4 + `,"modifiers":{"class":[{"type":"half-proficiency","subType":"ability-checks"},` +
			`{"type":"expertise","subType":"perception"},{"type":"proficiency","subType":"athletics"}]}`,
			func(s *dndbeyond.Sheet) (any, any) {
				return []dndbeyond.Check{s.Skills["history"], s.Skills["perception"], s.Skills["athletics"]}, []dndbeyond.Check{
					{Ability: "int", Modifier: 0 + 1, Proficiency: "half"},
					{Ability: "wis", Modifier: 1 + 4, Proficiency: "expertise"},
					{Ability: "str", Modifier: 3 + 2, Proficiency: "proficient"}}
			}},
		{"passive perception bonus (Observant)", fighter4 + `,"modifiers":{"feat":[{"type":"bonus","subType":"passive-perception","value":5}]}`,
			func(s *dndbeyond.Sheet) (any, any) { return s.PassivePerception, 10 + 1 + 5 }},
		{"multiclass: a second class's saves and unearned features do not count",
			`,"classes":[{"id":1,"level":3,"isStartingClass":true,"definition":{"name":"Fighter"},"classFeatures":[{"definition":{"id":1,"requiredLevel":1}}]},` +
				`{"id":2,"level":1,"definition":{"name":"Rogue"},"classFeatures":[{"definition":{"id":2,"requiredLevel":1}},{"definition":{"id":3,"requiredLevel":2}}]}]` +
				`,"modifiers":{"class":[{"type":"proficiency","subType":"strength-saving-throws","componentId":1,"availableToMulticlass":false},` +
				`{"type":"proficiency","subType":"dexterity-saving-throws","componentId":2,"availableToMulticlass":false},` +
				`{"type":"proficiency","subType":"stealth","componentId":2,"availableToMulticlass":true},` +
				`{"type":"bonus","subType":"speed","value":10,"componentId":3}]}`,
			func(s *dndbeyond.Sheet) (any, any) {
				return []string{s.SavingThrows["str"].Proficiency, s.SavingThrows["dex"].Proficiency, s.Skills["stealth"].Proficiency, strconv.Itoa(s.Speeds.Walk), strconv.Itoa(s.TotalLevel)},
					[]string{"proficient", "none", "proficient", "30", "4"}
			}},
		{"fly speed equal to walking speed", fighter4 + `,"modifiers":{"race":[{"type":"set","subType":"innate-speed-flying"},{"type":"set","subType":"innate-speed-swimming","value":20},{"type":"bonus","subType":"speed","value":5}]}`,
			func(s *dndbeyond.Sheet) (any, any) { return s.Speeds, dndbeyond.Speeds{Walk: 35, Fly: 35, Swim: 20} }},
	}
	for _, tc := range tests {
		got, want := tc.check(doc(t, tc.parts))
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("%s: got %s, want %s", tc.name, g, w)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// FuzzParse feeds the parser and the computation arbitrary documents:
// neither may panic, and a parsed document always yields a sheet that
// marshals.
func FuzzParse(f *testing.F) {
	// Small seeds: the real documents (0.3–1 MB) leave the fuzzer a few
	// executions a minute; the fixture tests cover them whole.
	for _, parts := range []string{fighter4, barbarian + `,"inventory":[` + shield + `]`, monk + `,"characterValues":[{"typeId":26,"valueId":"14","value":4}]`} {
		f.Add([]byte(`{"id":1,"stats":[{"id":1,"value":16}],"race":{"weightSpeeds":{"normal":{"walk":30}}}` + parts + `}`))
	}
	f.Add([]byte(`{"id":1,"stats":[{"id":1,"value":"9e99"}],"classes":[{"level":-5}],"modifiers":{"class":[{"type":"bonus","subType":"strength-score","value":1e300,"statId":99}]}}`))
	f.Add([]byte(`{"data":{"id":1,"classes":[{"level":99999999999}],"inventory":[{"equipped":true,"definition":{"armorTypeId":3,"armorClass":-9}}]}}`))
	f.Add([]byte(`{"success":false,"data":{"serverMessage":5}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := dndbeyond.Parse(b)
		if err != nil {
			return
		}
		if _, err := json.Marshal(dndbeyond.Compute(c)); err != nil {
			t.Fatalf("Marshal(Compute) = %v", err)
		}
	})
}

// BenchmarkParseCompute reads and computes the largest real document
// (the multiclass ranger/druid, about 1 MB).
func BenchmarkParseCompute(b *testing.B) {
	doc := fixture(b, "character-data_ranger16-druid4_147570397.json")
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		c, err := dndbeyond.Parse(doc)
		if err != nil {
			b.Fatal(err)
		}
		dndbeyond.Compute(c)
	}
}
