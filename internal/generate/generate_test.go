package generate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var ctx = context.Background()

// bestiary reads the SRD monsters the tests build encounters from.
func bestiary(t testing.TB) []Monster {
	t.Helper()
	entries, err := reference.Load(testenv.SRDDir(t))
	if err != nil {
		t.Fatal(err)
	}
	var out []Monster
	for i := range entries {
		if m, ok := MonsterOf(&entries[i]); ok {
			out = append(out, m)
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d monsters in the SRD data", len(out))
	}
	return out
}

// village is a small campaign: a few characters, places and threads.
func village() *Campaign {
	neg := -70
	pair := "r2"
	return &Campaign{ID: "c1", Name: "Test",
		Characters: []*gmc.Character{
			{ID: "ch1", Name: "Ismark Kolyanovich", CharacterType: gmc.CharacterNPC, Notes: json.RawMessage(`{"motivation":"wants to keep his sister safe"}`)},
			{ID: "ch2", Name: "Ireena Kolyana", CharacterType: gmc.CharacterNPC, GMNotes: json.RawMessage(`{"goal":"Escape the valley"}`)},
			{ID: "ch3", Name: "Ada Lovel", CharacterType: gmc.CharacterPC},
			{ID: "ch4", Name: "Doru", CharacterType: gmc.CharacterNPC, Notes: json.RawMessage(`{"mood":"hungry"}`)},
		},
		Locations: []*gmc.Location{{ID: "l1", Name: "Barovia", LocationType: "village"}, {ID: "l2", Name: "Old Crypt", LocationType: "place"}},
		Plots: []*gmc.PlotThread{
			{ID: "p1", Title: "The Burgomaster's Funeral", Status: gmc.PlotStalled, CharacterIDs: []string{"ch1"}, LocationIDs: []string{"l1"},
				Milestones: []gmc.Milestone{{Title: "Find a priest", Done: true}, {Title: "Dig the grave"}}},
			{ID: "p2", Title: "Escape Barovia", Status: gmc.PlotHook},
			{ID: "p3", Title: "A Solved Mystery", Status: gmc.PlotResolved, CharacterIDs: []string{"ch2"}},
		},
		Foreshadowing: []*gmc.Foreshadowing{
			{ID: "f1", PlotID: "p1", Description: "The coffin is too light"},
			{ID: "f2", PlotID: "p1", Description: "Already revealed", Revealed: true},
			{ID: "f3", PlotID: "p3", Description: "Hint of a closed thread"},
		},
		Relationships: []*gmc.Relationship{
			{ID: "r1", SourceID: "ch1", TargetID: "ch4", Kind: "rival", Attitude: neg, Mutual: true, PairID: &pair},
			{ID: "r2", SourceID: "ch4", TargetID: "ch1", Kind: "rival", Attitude: neg, Mutual: true, PairID: ptr("r1")},
			{ID: "r3", SourceID: "ch1", TargetID: "ch2", Kind: "family", Attitude: 90},
		},
	}
}

func ptr(s string) *string { return &s }

func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRepeatable: the same seed and state give the same draft, of every
// kind; another seed gives another.
func TestRepeatable(t *testing.T) {
	g := Builtin{}
	c := village()
	c.Monsters = bestiary(t)
	crypt := c.Locations[1]
	kinds := map[string]func(seed uint64) (any, error){
		"npc": func(s uint64) (any, error) { return g.NPC(ctx, c, NPCRequest{Seed: s}) },
		"location": func(s uint64) (any, error) {
			return g.Location(ctx, c, LocationRequest{Seed: s, Type: "tavern", Parent: c.Locations[0]})
		},
		"encounter": func(s uint64) (any, error) {
			return g.Encounter(ctx, c, EncounterRequest{Seed: s, PartyLevel: 5, PartySize: 4, Difficulty: Hard, Location: crypt})
		},
		"plot_hooks": func(s uint64) (any, error) { return g.PlotHooks(ctx, c, PlotHookRequest{Seed: s, Count: 5}) },
	}
	for name, gen := range kinds {
		t.Run(name, func(t *testing.T) {
			var distinct []string
			for seed := uint64(1); seed <= 20; seed++ {
				a, err := gen(seed)
				if err != nil {
					t.Fatal(err)
				}
				b, err := gen(seed)
				if err != nil {
					t.Fatal(err)
				}
				if js(t, a) != js(t, b) {
					t.Fatalf("seed %d gave two drafts:\n%s\n%s", seed, js(t, a), js(t, b))
				}
				if !slices.Contains(distinct, js(t, a)) {
					distinct = append(distinct, js(t, a))
				}
			}
			if len(distinct) < 10 {
				t.Errorf("20 seeds gave only %d different drafts", len(distinct))
			}
		})
	}
}

// TestNamesAreNew: no name is a list name or a name the campaign has,
// whatever the culture.
func TestNamesAreNew(t *testing.T) {
	c := village()
	taken := map[string]bool{}
	for _, ch := range c.Characters {
		taken[strings.ToLower(ch.Name)] = true
		for _, w := range strings.Fields(ch.Name) {
			taken[strings.ToLower(w)] = true
		}
	}
	for _, culture := range Cultures {
		seen := map[string]bool{}
		for seed := range uint64(300) {
			d, err := Builtin{}.NPC(ctx, c, NPCRequest{Seed: seed, Hints: NPCHints{Culture: culture}})
			if err != nil {
				t.Fatal(err)
			}
			g := strings.ToLower(d.GivenName)
			if listNames()[g] || taken[g] || taken[strings.ToLower(d.Name)] {
				t.Fatalf("%s name %q is a list name or taken", culture, d.Name)
			}
			if n := len([]rune(d.GivenName)); n < minNameLen || n > maxNameLen {
				t.Errorf("%s name %q has %d letters", culture, d.GivenName, n)
			}
			seen[g] = true
		}
		if len(seen) < 150 {
			t.Errorf("%s: 300 seeds gave only %d different given names", culture, len(seen))
		}
	}
}

// TestNamesTakeCampaignStyle: letters only the campaign's names use turn
// up in new names once the campaign has such names, and never without.
func TestNamesTakeCampaignStyle(t *testing.T) {
	for _, n := range givenNames["human"] {
		if strings.ContainsAny(strings.ToLower(n), "xz") {
			t.Fatalf("the human list has %q; the test needs a letter it lacks", n)
		}
	}
	styled := &Campaign{}
	for i, n := range []string{"Xalvex", "Zoraxa", "Vexzil", "Axzor", "Zexari", "Xozana", "Maxzul", "Zaxtor", "Oxzeva", "Xazmir"} {
		styled.Characters = append(styled.Characters, &gmc.Character{ID: fmt.Sprint(i), Name: n})
	}
	count := func(c *Campaign) int {
		k := 0
		for seed := range uint64(200) {
			d, _ := Builtin{}.NPC(ctx, c, NPCRequest{Seed: seed, Hints: NPCHints{Culture: "human"}})
			if strings.ContainsAny(strings.ToLower(d.GivenName), "xz") {
				k++
			}
		}
		return k
	}
	if plain := count(&Campaign{}); plain != 0 {
		t.Errorf("%d of 200 names without a style have x or z", plain)
	}
	if got := count(styled); got < 40 {
		t.Errorf("only %d of 200 names styled by x/z names have x or z", got)
	}
}

// TestNPCHints: hints are followed; the rest is filled.
func TestNPCHints(t *testing.T) {
	tests := []struct {
		hints                  NPCHints
		ancestry, culture, job string
	}{
		{NPCHints{Ancestry: "Dwarf"}, "dwarf", "dwarvish", ""},
		{NPCHints{Culture: "elvish"}, "elf", "elvish", ""},
		{NPCHints{Ancestry: "halfling", Occupation: "cheese smuggler"}, "halfling", "halfling", "cheese smuggler"},
		{NPCHints{Ancestry: "orc", Culture: "human"}, "orc", "human", ""},
		{NPCHints{Ancestry: "goblin", Culture: "klingon"}, "goblin", "", ""},
	}
	for _, tt := range tests {
		for seed := range uint64(10) {
			d, err := Builtin{}.NPC(ctx, village(), NPCRequest{Seed: seed, Hints: tt.hints})
			if err != nil {
				t.Fatal(err)
			}
			if d.Ancestry != tt.ancestry || (tt.culture != "" && d.Culture != tt.culture) || !slices.Contains(Cultures, d.Culture) ||
				(tt.job != "" && d.Occupation != tt.job) {
				t.Errorf("hints %+v: got %s / %s / %s", tt.hints, d.Ancestry, d.Culture, d.Occupation)
			}
			for field, v := range map[string]string{"appearance": d.Appearance, "ideal": d.Ideal, "bond": d.Bond, "flaw": d.Flaw,
				"motivation": d.Motivation, "secret": d.Secret, "occupation": d.Occupation, "voice_notes": d.VoiceNotes} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s is empty", field)
				}
			}
			if len(d.Personality) != 2 || d.Personality[0] == d.Personality[1] {
				t.Errorf("personality %v", d.Personality)
			}
			for _, part := range []string{d.Voice.Pitch, d.Voice.Pace, d.Voice.Accent, d.Voice.Tic} {
				if part == "" || !strings.Contains(d.VoiceNotes, part) {
					t.Errorf("voice part %q missing from %q", part, d.VoiceNotes)
				}
			}
			for _, r := range d.References {
				if !strings.Contains(d.Bond+d.Secret, r.Name) {
					t.Errorf("reference %v is named in neither bond nor secret", r)
				}
			}
		}
	}
}

// TestLocations: every type gets a name, features, people and hooks; the
// parent is kept, and no name repeats one the campaign has.
func TestLocations(t *testing.T) {
	c := village()
	for _, typ := range append(slices.Clone(LocationTypes), "inn", "graveyard", "dwarven mine", "lighthouse") {
		for seed := range uint64(15) {
			d, err := Builtin{}.Location(ctx, c, LocationRequest{Seed: seed, Type: typ, Parent: c.Locations[0]})
			if err != nil {
				t.Fatal(err)
			}
			if d.Name == "" || strings.Contains(d.Name, "{") || d.LocationType != typ || d.ParentID == nil || *d.ParentID != "l1" {
				t.Fatalf("%s: %+v", typ, d)
			}
			if strings.EqualFold(d.Name, "Barovia") || strings.EqualFold(d.Name, "Old Crypt") {
				t.Errorf("%s: name %q is taken", typ, d.Name)
			}
			if len(d.Features) < 3 || len(d.Hooks) < 2 {
				t.Errorf("%s: %d features, %d hooks", typ, len(d.Features), len(d.Hooks))
			}
			var people []string
			for _, in := range d.Inhabitants {
				if in.NPC {
					people = append(people, in.Name)
				}
			}
			if len(people) < 2 || len(slices.Compact(slices.Sorted(slices.Values(people)))) != len(people) {
				t.Errorf("%s: inhabitants %v", typ, people)
			}
			if !strings.Contains(d.Description, people[0]) || !strings.Contains(d.Description, "Barovia") {
				t.Errorf("%s: description %q names neither its people nor its parent", typ, d.Description)
			}
		}
	}
}

// TestLocationOddInput: a type outside the grammars (in any script) and
// hints no table knows still give a whole draft.
func TestLocationOddInput(t *testing.T) {
	for seed := range uint64(20) {
		d, err := Builtin{}.Location(ctx, village(), LocationRequest{Seed: seed, Type: "église", Hints: LocationHints{Culture: "klingon", Mood: "odd"}})
		if err != nil {
			t.Fatal(err)
		}
		if d.Name == "" || strings.ContainsAny(d.Name, "{}\uFFFD") || moodWords[d.Mood] == nil || len(d.Hooks) < 2 {
			t.Fatalf("%+v", d)
		}
	}
}

// TestEncounterInBand: for every level, several party sizes, every
// difficulty and several seeds, the set found has an adjusted XP in the
// difficulty's band, and the draft's figures add up.
func TestEncounterInBand(t *testing.T) {
	c := &Campaign{Monsters: bestiary(t)}
	for level := 1; level <= MaxPartyLevel; level++ {
		for _, size := range []int{1, 2, 3, 4, 5, 6, 8, MaxPartySize} {
			for _, diff := range Difficulties {
				for seed := range uint64(3) {
					d, err := Builtin{}.Encounter(ctx, c, EncounterRequest{Seed: seed, PartyLevel: level, PartySize: size, Difficulty: diff})
					if err != nil {
						t.Fatalf("level %d, %d characters, %s: %v", level, size, diff, err)
					}
					checkEncounter(t, d)
				}
			}
		}
	}
}

func checkEncounter(t *testing.T, d *EncounterDraft) {
	t.Helper()
	th := PartyThresholds(d.PartyLevel, d.PartySize)
	lo, hi := th.Band(d.Difficulty)
	xp, n := 0, 0
	for _, m := range d.Monsters {
		if m.Count < 1 || m.TotalXP != m.XP*m.Count {
			t.Fatalf("monster %+v", m)
		}
		xp += m.TotalXP
		n += m.Count
	}
	mult := Multiplier(n, d.PartySize)
	adj := int(float64(xp) * mult)
	if d.XP != xp || d.Multiplier != mult || d.AdjustedXP != adj || d.Thresholds != th || d.Band != [2]int{lo, hi} {
		t.Fatalf("level %d ×%d %s: figures do not add up: %+v", d.PartyLevel, d.PartySize, d.Difficulty, d)
	}
	if adj < lo || adj >= hi || d.Reached != d.Difficulty {
		t.Fatalf("level %d ×%d %s: adjusted XP %d outside [%d, %d) (reached %s)", d.PartyLevel, d.PartySize, d.Difficulty, adj, lo, hi, d.Reached)
	}
}

// TestEncounterRules checks the tables against examples worked by hand
// from the rules.
func TestEncounterRules(t *testing.T) {
	for _, tt := range []struct{ n, size int }{{1, 4}, {2, 4}, {3, 4}, {6, 4}, {7, 4}, {11, 4}, {15, 4}, {1, 2}, {15, 1}, {1, 6}, {2, 7}, {16, 8}} {
		want := map[[2]int]float64{{1, 4}: 1, {2, 4}: 1.5, {3, 4}: 2, {6, 4}: 2, {7, 4}: 2.5, {11, 4}: 3, {15, 4}: 4,
			{1, 2}: 1.5, {15, 1}: 5, {1, 6}: 0.5, {2, 7}: 1, {16, 8}: 3}[[2]int{tt.n, tt.size}]
		if got := Multiplier(tt.n, tt.size); got != want {
			t.Errorf("Multiplier(%d monsters, %d characters) = %v, want %v", tt.n, tt.size, got, want)
		}
	}
	// Four 3rd-level characters: 300 / 600 / 900 / 1600 (DMG example).
	if got := PartyThresholds(3, 4); got != (Thresholds{300, 600, 900, 1600}) {
		t.Errorf("thresholds of four level-3 characters = %+v", got)
	}
	th := PartyThresholds(3, 4)
	for adj, want := range map[int]Difficulty{299: "trivial", 300: Easy, 599: Easy, 600: Medium, 1599: Hard, 1600: Deadly} {
		if got := th.Reached(adj); got != want {
			t.Errorf("Reached(%d) = %s, want %s", adj, got, want)
		}
	}
}

// TestEncounterThemed: a crypt gets undead when they fit, a forest beasts,
// plants or fey; a theme that cannot fit falls back to the whole bestiary
// and says so.
func TestEncounterThemed(t *testing.T) {
	c := &Campaign{Monsters: bestiary(t)}
	crypt := &gmc.Location{ID: "l1", Name: "Tomb of Kings", LocationType: "crypt"}
	forest := &gmc.Location{ID: "l2", Name: "Wolfwood", LocationType: "forest"}
	undead, sylvan := 0, 0
	for seed := range uint64(30) {
		d, err := Builtin{}.Encounter(ctx, c, EncounterRequest{Seed: seed, PartyLevel: 4, PartySize: 4, Difficulty: Medium, Location: crypt})
		if err != nil {
			t.Fatal(err)
		}
		checkEncounter(t, d)
		if d.Theme != "undead" || !d.Themed || d.Location == nil || d.Location.ID != "l1" {
			t.Fatalf("crypt: theme %q themed %v", d.Theme, d.Themed)
		}
		for _, m := range d.Monsters {
			if !themes["undead"].fits(&m.Monster) {
				t.Errorf("crypt encounter has %s (%s)", m.Name, m.Type)
			}
			if m.Type == "undead" {
				undead++
			}
		}
		d, err = Builtin{}.Encounter(ctx, c, EncounterRequest{Seed: seed, PartyLevel: 2, PartySize: 5, Difficulty: Hard, Location: forest})
		if err != nil {
			t.Fatal(err)
		}
		checkEncounter(t, d)
		for _, m := range d.Monsters {
			if slices.Contains([]string{"beast", "plant", "fey", "swarm of tiny beasts"}, m.Type) {
				sylvan++
			}
		}
	}
	if undead == 0 || sylvan == 0 {
		t.Errorf("undead in crypts %d, beasts/plants/fey in forests %d", undead, sylvan)
	}
	// A type without a theme leaves the whole bestiary; a name may theme
	// a place of a plain type.
	for _, tt := range []struct {
		l     *gmc.Location
		theme string
	}{
		{&gmc.Location{ID: "l3", Name: "The Heartlands", LocationType: "region"}, ""},
		{&gmc.Location{ID: "l4", Name: "Old Crypt", LocationType: "place"}, "undead"},
		{&gmc.Location{ID: "l5", Name: "Greyharbour", LocationType: "harbor"}, "coast"},
	} {
		d, err := Builtin{}.Encounter(ctx, c, EncounterRequest{Seed: 2, PartyLevel: 3, PartySize: 4, Difficulty: Easy, Location: tt.l})
		if err != nil {
			t.Fatal(err)
		}
		if d.Theme != tt.theme || d.Themed != (tt.theme != "") {
			t.Errorf("%s (%s): theme %q themed %v, want %q", tt.l.Name, tt.l.LocationType, d.Theme, d.Themed, tt.theme)
		}
	}
	// With only weak undead, none is deadly for eight level-20
	// characters: the whole bestiary is used, and the draft says so.
	var weakDead []Monster
	for _, m := range c.Monsters {
		if !themes["undead"].fits(&m) || m.XP <= 100 {
			weakDead = append(weakDead, m)
		}
	}
	d, err := Builtin{}.Encounter(ctx, &Campaign{Monsters: weakDead}, EncounterRequest{Seed: 1, PartyLevel: 20, PartySize: 8, Difficulty: Deadly, Location: crypt})
	if err != nil {
		t.Fatal(err)
	}
	checkEncounter(t, d)
	if d.Themed || len(d.Notes) == 0 {
		t.Errorf("fallback not reported: themed %v notes %v", d.Themed, d.Notes)
	}
}

// TestEncounterOutOfReach: a party too strong for the bestiary gets an
// error that says so, with the figures.
func TestEncounterOutOfReach(t *testing.T) {
	var weak []Monster
	for _, m := range bestiary(t) {
		if m.XP <= 200 {
			weak = append(weak, m)
		}
	}
	_, err := Builtin{}.Encounter(ctx, &Campaign{Monsters: weak}, EncounterRequest{Seed: 1, PartyLevel: 20, PartySize: 6, Difficulty: Deadly})
	if !errors.Is(err, ErrOutOfReach) || !strings.Contains(err.Error(), "too strong") || !strings.Contains(err.Error(), "76200") {
		t.Errorf("err = %v", err)
	}
	if _, err := (Builtin{}).Encounter(ctx, &Campaign{}, EncounterRequest{Seed: 1, PartyLevel: 1, PartySize: 4, Difficulty: Easy}); !errors.Is(err, ErrNoBestiary) {
		t.Errorf("empty bestiary: %v", err)
	}
}

// TestPlotHooks: hooks come from open threads, NPC motivations,
// unrevealed foreshadowing of open threads and negative relationships —
// a mutual pair once — each citing its sources; closed and revealed
// things give none.
func TestPlotHooks(t *testing.T) {
	c := village()
	d, err := Builtin{}.PlotHooks(ctx, c, PlotHookRequest{Seed: 7, Count: MaxHookCount})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, h := range d.Hooks {
		if len(h.Sources) == 0 || h.Text == "" || h.Title == "" {
			t.Errorf("hook %+v", h)
		}
		got[h.Kind] = append(got[h.Kind], h.Sources[0].ID)
		for _, s := range h.Sources {
			if s.Name == "" {
				t.Errorf("source %v has no name", s)
			}
		}
	}
	want := map[string][]string{HookThread: {"p1", "p2"}, HookMotivation: {"ch1", "ch2"}, HookForeshadowing: {"f1"}, HookStrain: {"r1"}}
	for kind, ids := range want {
		g := slices.Sorted(slices.Values(got[kind]))
		if !slices.Equal(g, ids) {
			t.Errorf("%s hooks from %v, want %v", kind, g, ids)
		}
	}
	for _, h := range d.Hooks {
		switch h.Sources[0].ID {
		case "p1":
			if !strings.Contains(h.Text, "Dig the grave") || !slices.Equal(h.CharacterIDs, []string{"ch1"}) || !slices.Equal(h.LocationIDs, []string{"l1"}) {
				t.Errorf("stalled thread hook: %+v", h)
			}
		case "ch2":
			if !strings.Contains(h.Text, "wants escape the valley") {
				t.Errorf("motivation from gm_notes: %q", h.Text)
			}
		case "r1":
			if !strings.Contains(h.Text, "-70") || len(h.Sources) != 3 {
				t.Errorf("strain hook: %+v", h)
			}
		}
	}
	// A thread left alone for four sessions comes before one touched in
	// the latest, whatever the seed.
	waiting := &Campaign{LatestSessionNumber: 5, Plots: []*gmc.PlotThread{
		{ID: "fresh", Title: "Fresh", Status: gmc.PlotActive, LastTouchedSessionNumber: 5},
		{ID: "old", Title: "Old", Status: gmc.PlotActive, LastTouchedSessionNumber: 1},
	}}
	for seed := range uint64(20) {
		d, _ := Builtin{}.PlotHooks(ctx, waiting, PlotHookRequest{Seed: seed})
		if len(d.Hooks) != 2 || d.Hooks[0].Sources[0].ID != "old" {
			t.Fatalf("seed %d: %+v", seed, d.Hooks)
		}
	}
	few, _ := Builtin{}.PlotHooks(ctx, c, PlotHookRequest{Seed: 7, Count: 2})
	if len(few.Hooks) != 2 {
		t.Errorf("count 2 gave %d hooks", len(few.Hooks))
	}
}
