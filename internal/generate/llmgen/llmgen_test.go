package llmgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/llm/llmtest"
)

// campaign is a small campaign with a GM-only NPC who has a secret.
func campaign() *generate.Campaign {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	harbour := &gmc.Location{ID: "l1", Name: "Saltmarsh Harbour", LocationType: "port", Description: "Fog, gulls and smugglers' boats.", Visibility: gmc.VisiblePlayers, UpdatedAt: t0}
	inn := &gmc.Location{ID: "l2", Name: "The Drowned Lantern", LocationType: "tavern", ParentID: &harbour.ID, Path: "/l1/l2/", Description: "A dockside tavern.", Visibility: gmc.VisiblePlayers, UpdatedAt: t0.Add(time.Hour)}
	return &generate.Campaign{
		ID: "camp-1", Name: "Tides of Saltmarsh",
		Characters: []*gmc.Character{
			{ID: "c1", Name: "Bram Ironfoot", CharacterType: gmc.CharacterPC, Notes: json.RawMessage(`{"class":"fighter"}`), Visibility: gmc.VisiblePlayers, UpdatedAt: t0},
			{ID: "c2", Name: "Lady Vex", Aliases: []string{"the Widow"}, CharacterType: gmc.CharacterNPC, Notes: json.RawMessage(`{"occupation":"harbour master"}`),
				GMNotes: json.RawMessage(`{"secret":"she runs the smuggling ring"}`), Visibility: gmc.VisibleGM, UpdatedAt: t0.Add(2 * time.Hour)},
			{ID: "c3", Name: "Old Tam", CharacterType: gmc.CharacterNPC, Notes: json.RawMessage(`{"occupation":"ferryman","motivation":"wants his boat back"}`), Visibility: gmc.VisiblePlayers, UpdatedAt: t0.Add(3 * time.Hour)},
		},
		Locations: []*gmc.Location{harbour, inn},
		Plots: []*gmc.PlotThread{
			{ID: "p1", Title: "The Sunken Cargo", Summary: "Crates of stolen silver lie under the pier.", Status: gmc.PlotActive, CharacterIDs: []string{"c2"}, Visibility: gmc.VisibleGM, UpdatedAt: t0},
			{ID: "p2", Title: "An Old Debt", Status: gmc.PlotResolved, Visibility: gmc.VisiblePlayers, UpdatedAt: t0},
		},
	}
}

func newGen(t *testing.T, srv *llmtest.Server) *Generator {
	t.Helper()
	c, err := llm.New(llm.Config{BaseURL: srv.URL, Model: srv.Model, MaxRetries: 1, TotalTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return New(c, Config{})
}

func npcJSON(name, bond string) string {
	b, _ := json.Marshal(llm.NPC{Name: name, Ancestry: "Half-Elf", Occupation: "net-mender", Appearance: "Tar-stained hands and a silver ring.",
		Personality: "Laughs at danger.", Ideal: "Freedom.", Bond: bond, Flaw: "Cannot resist a wager.", Motivation: "Pay off a debt.",
		Secret: "Informs for Lady Vex.", VoiceNotes: "Low and quick.", Attitude: "indifferent"})
	return string(b)
}

func TestNPCFromModel(t *testing.T) {
	srv := llmtest.New(t)
	srv.Script(llmtest.Reply{Content: npcJSON("Mirela Saltwhistle", "Owes Old Tam her life.")})
	g := newGen(t, srv)
	c := campaign()
	d, err := g.NPC(context.Background(), c, generate.NPCRequest{Seed: 42, Hints: generate.NPCHints{Occupation: "bodyguard of the Widow"}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "Mirela Saltwhistle" || d.GivenName != "Mirela" || d.FamilyName != "Saltwhistle" || d.Ancestry != "half-elf" || d.Culture != "human" ||
		d.Occupation != "bodyguard of the Widow" || d.Generator != "llm" || d.Model != srv.Model || d.Seed != 42 || d.Attitude != "indifferent" {
		t.Errorf("draft = %+v", d)
	}
	if !slices.ContainsFunc(d.References, func(r generate.Ref) bool { return r.ID == "c3" }) ||
		!slices.ContainsFunc(d.References, func(r generate.Ref) bool { return r.ID == "c2" }) {
		t.Errorf("references = %+v, want Old Tam (bond) and Lady Vex (secret)", d.References)
	}
	if len(d.Origin.Notes) == 0 || !strings.Contains(d.Origin.Notes[0], "honours seeds") {
		t.Errorf("notes = %q, want the seed caveat", d.Origin.Notes)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	if s, _ := reqs[0].Body["seed"].(float64); s != 42 {
		t.Errorf("seed sent = %v, want 42", reqs[0].Body["seed"])
	}
	user := reqs[0].Messages[1].Content
	// The entity the hints name (by its alias) comes first; GM-only items
	// are in, marked.
	lines := contextLines(user)
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "- Lady Vex (NPC, GM only)") || !strings.Contains(lines[0], "GM notes (secret): secret: she runs the smuggling ring") {
		t.Errorf("context = %q, want Lady Vex first, marked GM only with her secret labelled", lines)
	}
	if !strings.Contains(reqs[0].Messages[0].Content, "Tides of Saltmarsh") {
		t.Errorf("system prompt lacks the campaign name: %q", reqs[0].Messages[0].Content)
	}
	if u := g.Usage()["camp-1"]; u.Calls != 1 || u.Total() == 0 {
		t.Errorf("usage of the campaign = %+v", u)
	}
}

func contextLines(user string) []string {
	var out []string
	for _, l := range strings.Split(user, "\n") {
		if strings.HasPrefix(l, "- ") {
			out = append(out, l)
		}
	}
	return out
}

func TestNPCNameClash(t *testing.T) {
	t.Run("asked again", func(t *testing.T) {
		srv := llmtest.New(t)
		srv.Script(llmtest.Reply{Content: npcJSON("Bram Ironfoot", "None.")}, llmtest.Reply{Content: npcJSON("Tolan Reed", "None.")})
		d, err := newGen(t, srv).NPC(context.Background(), campaign(), generate.NPCRequest{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if d.Name != "Tolan Reed" {
			t.Errorf("name = %q, want the second answer's", d.Name)
		}
		reqs := srv.Requests()
		if len(reqs) != 2 || !strings.Contains(reqs[1].Messages[1].Content, `Do not call them Bram Ironfoot`) {
			t.Fatalf("second request did not name the clash: %d requests", len(reqs))
		}
		if !slices.ContainsFunc(d.Origin.Notes, func(n string) bool { return strings.Contains(n, "asked again") }) {
			t.Errorf("notes = %q", d.Origin.Notes)
		}
	})
	t.Run("given name clashes twice", func(t *testing.T) {
		srv := llmtest.New(t)
		// "Bram" alone is the PC's given name; then an alias, in other case.
		srv.Script(llmtest.Reply{Content: npcJSON("Bram Saltwhistle", "Bram Saltwhistle owes nobody.")}, llmtest.Reply{Content: npcJSON("the widow", "None.")})
		c := campaign()
		d, err := newGen(t, srv).NPC(context.Background(), c, generate.NPCRequest{Seed: 7, Hints: generate.NPCHints{Culture: "dwarvish"}})
		if err != nil {
			t.Fatal(err)
		}
		if characterNames(c).clash(d.Name) != "" || d.Name == "" || strings.Contains(d.Name, "Bram") {
			t.Errorf("name = %q, want a built-in name the campaign lacks", d.Name)
		}
		if strings.Contains(d.Bond, "Bram") || !strings.Contains(d.Bond, d.GivenName) {
			t.Errorf("bond = %q, want the old name replaced by %q", d.Bond, d.Name)
		}
		if !slices.ContainsFunc(d.Origin.Notes, func(n string) bool { return strings.Contains(n, "built-in name generator") }) {
			t.Errorf("notes = %q", d.Origin.Notes)
		}
	})
}

func TestLocationFromModel(t *testing.T) {
	srv := llmtest.New(t)
	ans, _ := json.Marshal(llm.Location{Name: "The Gull's Rest", Description: "A leaning inn on the Saltmarsh Harbour quay.",
		Features: []string{"a trapdoor to the water"}, Inhabitants: []string{"Mara Quill, the innkeeper, counts every coin", "rats in the cellar", "Lady Vex (harbour master)", "Bram Tolliver, the cook"},
		Hooks: []string{"Someone pays in silver from The Sunken Cargo.", "Bram Tolliver waters the ale."}})
	srv.Script(llmtest.Reply{Content: string(ans), ChunkSize: 16})
	c := campaign()
	d, err := newGen(t, srv).Location(context.Background(), c, generate.LocationRequest{Seed: 3, Type: "inn", Parent: c.Locations[0], Hints: generate.LocationHints{Mood: "sinister"}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "The Gull's Rest" || d.LocationType != "inn" || d.ParentID == nil || *d.ParentID != "l1" || d.Mood != "sinister" {
		t.Errorf("draft = %+v", d)
	}
	want := []generate.Inhabitant{
		{Name: "Mara Quill", Role: "innkeeper", Trait: "counts every coin", NPC: true},
		{Name: "rats in the cellar"},
		{Name: "Lady Vex", Role: "harbour master", NPC: false}, // the campaign's own: not saved again
	}
	if len(d.Inhabitants) != 4 || !slices.Equal(d.Inhabitants[:3], want) {
		t.Fatalf("inhabitants = %+v\nwant %+v and the cook", d.Inhabitants, want)
	}
	// The cook shares the PC Bram's given name: named afresh everywhere.
	cook := d.Inhabitants[3]
	if !cook.NPC || cook.Role != "cook" || strings.Contains(cook.Name, "Bram") || characterNames(c).clash(cook.Name) != "" ||
		strings.Contains(d.Hooks[1], "Bram") || !strings.Contains(d.Hooks[1], cook.Name) {
		t.Errorf("cook = %+v, hooks %q", cook, d.Hooks)
	}
	if !slices.ContainsFunc(d.References, func(r generate.Ref) bool { return r.ID == "p1" }) {
		t.Errorf("references = %+v, want the thread a hook names", d.References)
	}
	reqs := srv.Requests()
	if !reqs[0].Stream {
		t.Error("location request not streamed")
	}
	// The parent is named, so it is first; its child, the inn, is near.
	lines := contextLines(reqs[0].Messages[1].Content)
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "- Saltmarsh Harbour") {
		t.Errorf("context = %q", lines)
	}
}

func TestPlotHooksFromModel(t *testing.T) {
	srv := llmtest.New(t)
	ans, _ := json.Marshal(llm.PlotHooks{Hooks: []llm.PlotHook{
		{Title: "A quiet word", Summary: "Old Tam wants his boat back.", Involves: []string{"Old Tam"}, Source: "npc_motivation", Urgency: "low"},
		{Title: "Silver under the pier", Summary: "The Widow moves the cargo tonight.", Involves: []string{"the widow", "The Sunken Cargo", "Saltmarsh Harbour", "Captain Nobody"}, Source: "thread", Urgency: "high"},
		{Title: "Strangers", Summary: "Sails on the horizon.", Involves: []string{"Nobody"}, Source: "relationship", Urgency: "medium"},
	}})
	srv.Script(llmtest.Reply{Content: string(ans)})
	d, err := newGen(t, srv).PlotHooks(context.Background(), campaign(), generate.PlotHookRequest{Seed: 9, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Hooks) != 2 {
		t.Fatalf("%d hooks, want the count asked for", len(d.Hooks))
	}
	h := d.Hooks[0]
	if h.Title != "Silver under the pier" || h.Kind != generate.HookThread || !slices.Equal(h.CharacterIDs, []string{"c2"}) || !slices.Equal(h.LocationIDs, []string{"l1"}) || len(h.Sources) != 3 {
		t.Errorf("first hook = %+v, want the urgent one with its entities found", h)
	}
	if d.Hooks[1].Kind != generate.HookNew || len(d.Hooks[1].Sources) != 0 {
		t.Errorf("second hook = %+v, want kind new: it names nothing the campaign has", d.Hooks[1])
	}
	if !slices.ContainsFunc(d.Origin.Notes, func(n string) bool { return strings.Contains(n, `"Captain Nobody"`) }) {
		t.Errorf("notes = %q, want the unknown name reported", d.Origin.Notes)
	}
	if !srv.Requests()[0].Stream {
		t.Error("plot hooks not streamed")
	}
}

func monsters() []generate.Monster {
	var out []generate.Monster
	for i, m := range []struct {
		name, typ, cr string
		xp            int
	}{{"Ghoul", "undead", "1", 200}, {"Zombie", "undead", "1/4", 50}, {"Wolf", "beast", "1/4", 50}, {"Ogre", "giant", "2", 450}, {"Bandit", "humanoid", "1/8", 25}} {
		out = append(out, generate.Monster{Slug: fmt.Sprint(i), Name: m.name, Type: m.typ, CR: m.cr, XP: m.xp, Size: "Medium"})
	}
	return out
}

func TestEncounterKeepsTheRules(t *testing.T) {
	req := generate.EncounterRequest{Seed: 5, PartyLevel: 3, PartySize: 4, Difficulty: generate.Medium}
	c := &generate.Campaign{ID: "camp-1", Monsters: monsters()}
	rules, err := generate.Builtin{}.Encounter(context.Background(), c, req)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("told", func(t *testing.T) {
		srv := llmtest.New(t)
		ans, _ := json.Marshal(llm.EncounterFlavour{Title: "Night at the pier", ReadAloud: "Shapes rise from the water.", Tactics: "They flank.", Terrain: []string{"slick planks"}})
		srv.Script(llmtest.Reply{Content: string(ans)})
		d, err := newGen(t, srv).Encounter(context.Background(), c, req)
		if err != nil {
			t.Fatal(err)
		}
		if d.Flavour == nil || d.Flavour.Title != "Night at the pier" || d.Generator != "llm" {
			t.Errorf("draft = %+v", d)
		}
		if !slices.Equal(d.Monsters, rules.Monsters) || d.AdjustedXP != rules.AdjustedXP {
			t.Errorf("monsters %+v, want the rules' %+v", d.Monsters, rules.Monsters)
		}
		user := srv.Requests()[0].Messages[1].Content
		for _, m := range rules.Monsters {
			if !strings.Contains(user, fmt.Sprintf("%d × %s", m.Count, m.Name)) {
				t.Errorf("prompt lacks %d × %s: %q", m.Count, m.Name, user)
			}
		}
	})
	t.Run("model down", func(t *testing.T) {
		srv := llmtest.New(t)
		srv.Always(llmtest.Reply{Status: 500})
		d, err := newGen(t, srv).Encounter(context.Background(), c, req)
		if err != nil {
			t.Fatal(err)
		}
		if d.Flavour != nil || d.Generator != "builtin" || !slices.Equal(d.Monsters, rules.Monsters) {
			t.Errorf("draft = %+v, want the rules' encounter alone", d)
		}
		if !slices.ContainsFunc(d.Notes, func(n string) bool {
			return strings.Contains(n, "could not describe") && strings.Contains(n, "HTTP 500")
		}) {
			t.Errorf("notes = %q, want one saying the model failed", d.Notes)
		}
	})
}

func TestFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*llmtest.Server)
		kind  error
		code  string
	}{
		{"server down", func(s *llmtest.Server) { s.Close() }, gmc.ErrUnavailable, "ai_unavailable"},
		{"server errors", func(s *llmtest.Server) { s.Always(llmtest.Reply{Status: 502}) }, gmc.ErrUnavailable, "ai_unavailable"},
		{"stream cut every time", func(s *llmtest.Server) {
			s.Always(llmtest.Reply{Content: npcJSON("Ana Reed", "x"), CutAfter: 20})
		}, gmc.ErrUnavailable, "ai_unavailable"},
		{"malformed twice", func(s *llmtest.Server) { s.Always(llmtest.Reply{Content: `{"name": "Ana"`}) }, gmc.ErrUpstream, "ai_bad_answer"},
		{"unknown model", func(s *llmtest.Server) { s.Always(llmtest.Reply{Status: 404}) }, gmc.ErrUpstream, "ai_refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := llmtest.New(t)
			g := newGen(t, srv)
			tc.setup(srv)
			var err error
			if strings.HasPrefix(tc.name, "stream") {
				_, err = g.PlotHooks(context.Background(), campaign(), generate.PlotHookRequest{Seed: 1})
			} else {
				_, err = g.NPC(context.Background(), campaign(), generate.NPCRequest{Seed: 1})
			}
			var de *gmc.Error
			if !errors.Is(err, tc.kind) || !errors.As(err, &de) || de.Code != tc.code {
				t.Fatalf("err = %v, want %v %s", err, tc.kind, tc.code)
			}
			if strings.Contains(err.Error(), "127.0.0.1") {
				t.Errorf("error names the server's address: %v", err)
			}
		})
	}
}

func TestSelectContext(t *testing.T) {
	c := campaign()
	es := entries(c)
	t.Run("named, then relevant, then recent", func(t *testing.T) {
		got := selectContext(es, "someone from the Saltmarsh Harbour who knows about silver", 10000, nil)
		var names []string
		for _, it := range got {
			names = append(names, it.Name)
		}
		if len(names) < 3 || names[0] != "Saltmarsh Harbour" || names[1] != "The Sunken Cargo" {
			t.Errorf("order = %q, want the named harbour, then the thread about silver", names)
		}
	})
	t.Run("budget", func(t *testing.T) {
		all := selectContext(es, "", 10000, nil)
		some := selectContext(es, "", 40, nil)
		cost := 0
		for _, it := range some {
			cost += llm.ItemTokens(it)
		}
		if len(some) == 0 || len(some) >= len(all) || cost > 40 {
			t.Errorf("%d of %d items in 40 tokens (cost %d)", len(some), len(all), cost)
		}
	})
	t.Run("closed threads last", func(t *testing.T) {
		got := selectContext(es, "", 10000, nil)
		if got[len(got)-1].Name != "An Old Debt" {
			t.Errorf("last = %q, want the resolved thread", got[len(got)-1].Name)
		}
	})
}

func TestNameClashRules(t *testing.T) {
	ns := characterNames(campaign())
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"Bram Ironfoot", true}, {"bram ironfoot", true}, {"Bram Saltwhistle", true}, {"Bram", true}, {"The Widow", true}, {"Vex", true},
		{"Lady Mirela", false}, {"Old Hask", false}, {"Tamsin Reed", false}, {"Ironfoot Bram", false},
	} {
		if got := ns.clash(tc.name) != ""; got != tc.want {
			t.Errorf("clash(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMentionsFold(t *testing.T) {
	for _, tc := range []struct {
		text, w string
		want    bool
	}{
		{"The SMUGGLER's boat", "smuggler", true}, {"smugglers", "smuggler", false}, {"a Smuggler", "smuggler", true},
		{"Ärger im Hafen", "ärger", true}, {"Hafenärger", "ärger", false}, {"", "x", false}, {"ab", "abc", false}, {"ask lady vex now", "Lady Vex", true}, {"ask ÄRGER", "Ärger", true},
		{"éfenn", "fenn", false}, {"fennä", "fenn", false}, {"«Fenn»", "fenn", true}, {`{"secret":"serves Fenn"}`, "fenn", true},
	} {
		if got := mentionsFold(tc.text, tc.w); got != tc.want {
			t.Errorf("mentionsFold(%q, %q) = %v", tc.text, tc.w, got)
		}
		if got := mentionsFold([]byte(tc.text), tc.w); got != tc.want {
			t.Errorf("mentionsFold([]byte(%q), %q) = %v", tc.text, tc.w, got)
		}
	}
}

// TestDraftTimeout: a server slower than the draft's timeout is a 503
// for an NPC, and for an encounter the rules' monsters without flavour.
func TestDraftTimeout(t *testing.T) {
	srv := llmtest.New(t)
	srv.Always(llmtest.Reply{Content: npcJSON("Ana Reed", "x"), Delay: 2 * time.Second})
	c, err := llm.New(llm.Config{BaseURL: srv.URL, Model: srv.Model, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	g := New(c, Config{Timeout: 100 * time.Millisecond})
	_, err = g.NPC(context.Background(), campaign(), generate.NPCRequest{Seed: 1})
	var de *gmc.Error
	if !errors.As(err, &de) || de.Code != "ai_unavailable" || !strings.Contains(de.Message, "in time") {
		t.Errorf("NPC err = %v, want ai_unavailable, not in time", err)
	}
	d, err := g.Encounter(context.Background(), &generate.Campaign{ID: "x", Monsters: monsters()}, generate.EncounterRequest{Seed: 1, PartyLevel: 2, PartySize: 4, Difficulty: generate.Easy})
	if err != nil || d.Flavour != nil || len(d.Monsters) == 0 {
		t.Errorf("encounter = %+v, %v; want the rules' monsters alone", d, err)
	}
}
