package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/testenv"
)

// withMonsters opens a store holding the SRD monsters that keep passes
// (all of them when keep is nil), as `gmc reference import` stores them.
func withMonsters(open func(t testing.TB) store.Store, keep func(reference.Entry) bool) func(t testing.TB) store.Store {
	return func(t testing.TB) store.Store {
		t.Helper()
		st := open(t)
		entries, err := reference.Load(testenv.SRDDir(t))
		if err != nil {
			t.Fatal(err)
		}
		var monsters []reference.Entry
		for _, e := range entries {
			if e.Kind == reference.KindMonster && (keep == nil || keep(e)) {
				monsters = append(monsters, e)
			}
		}
		if _, err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.UpsertReferenceEntries(context.Background(), monsters, time.Now()); err != nil {
			t.Fatal(err)
		}
		return st
	}
}

// draft decodes the "draft" of a generator's answer.
func (r response) draft() map[string]any {
	d, _ := r.body["draft"].(map[string]any)
	return d
}

// TestGenerateNPC: drafts are GM-only and repeatable by seed; a saved NPC
// keeps every part of its draft, its secret where only GMs read it.
func TestGenerateNPC(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			p.character(map[string]any{"name": "Ismark Kolyanovich", "character_type": "npc"})
			npc := p.path("/generate/npc")
			hints := map[string]any{"hints": map[string]any{"ancestry": "dwarf", "occupation": "brewer"}}

			first := c.must(200, "POST", npc+"?seed=42", gm, hints)
			again := c.must(200, "POST", npc+"?seed=42", gm, hints)
			if string(first.raw) != string(again.raw) {
				t.Fatalf("seed 42 gave two drafts:\n%s\n%s", first.raw, again.raw)
			}
			d := first.draft()
			if d["ancestry"] != "dwarf" || d["culture"] != "dwarvish" || d["occupation"] != "brewer" || d["seed"] != float64(42) {
				t.Errorf("draft ignores its hints: %s", first.raw)
			}
			if other := c.must(200, "POST", npc+"?seed=43", gm, hints); other.draft()["name"] == d["name"] {
				t.Errorf("seeds 42 and 43 gave the same name %v", d["name"])
			}
			if drawn := c.must(200, "POST", npc, gm, nil).draft(); drawn["seed"] == nil || drawn["name"] == "" {
				t.Errorf("draft without a seed or body: %v", drawn)
			}

			for role, want := range map[string]int{"player": 403, "observer": 403, "owner": 403, "outsider": 404} {
				if r := c.do("POST", npc+"?seed=42", p.token[role], hints); r.status != want {
					t.Errorf("%s: %d %s, want %d", role, r.status, r.raw, want)
				}
			}
			for _, bad := range []struct {
				query    string
				body     any
				location string
			}{
				{"?seed=abc", nil, "query.seed"},
				{"?seed=9999999999999999", nil, "query.seed"},
				{"", map[string]any{"hints": map[string]any{"culture": "klingon"}}, "body.hints.culture"},
				{"", map[string]any{"hints": map[string]any{"ancestry": strings.Repeat("x", 65)}}, "body.hints.ancestry"},
				{"?save=true", map[string]any{"hints": map[string]any{"mood": "x"}}, "body.hints.mood"},
			} {
				r := c.do("POST", npc+bad.query, gm, bad.body)
				if r.status != 422 || !strings.Contains(string(r.raw), bad.location) {
					t.Errorf("%s %v: %d %s, want 422 naming %s", bad.query, bad.body, r.status, r.raw, bad.location)
				}
			}
			if n := len(c.must(200, "GET", p.path("/characters"), gm, nil).items()); n != 1 {
				t.Fatalf("drafts and refused requests stored characters: %d", n)
			}

			saved := c.must(201, "POST", npc+"?seed=42&save=true", gm, hints)
			ch, _ := saved.body["character"].(map[string]any)
			if saved.draft()["name"] != d["name"] || ch["name"] != d["name"] {
				t.Fatalf("saved %v from draft %v", ch["name"], d["name"])
			}
			if saved.header.Get("Location") != "/api/v1/characters/"+fmt.Sprint(ch["id"]) {
				t.Errorf("Location = %q", saved.header.Get("Location"))
			}
			got := c.must(200, "GET", "/api/v1/characters/"+fmt.Sprint(ch["id"]), gm, nil)
			notes, _ := got.body["notes"].(map[string]any)
			gmNotes, _ := got.body["gm_notes"].(map[string]any)
			if got.str("character_type") != "npc" || got.str("visibility") != "gm" || got.str("voice_notes") != d["voice_notes"] ||
				notes["motivation"] != d["motivation"] || notes["occupation"] != "brewer" || gmNotes["secret"] != d["secret"] {
				t.Errorf("stored NPC does not hold its draft: %s\ndraft %v", got.raw, d)
			}
			if strings.Contains(string(got.body["notes"].(map[string]any)["bond"].(string)), fmt.Sprint(d["secret"])) {
				t.Errorf("the secret leaked into notes")
			}
			c.must(404, "GET", "/api/v1/characters/"+fmt.Sprint(ch["id"]), p.token["player"], nil)
			// The campaign now has that name: the same seed must not give it again.
			if next := c.must(200, "POST", npc+"?seed=42", gm, hints); next.draft()["name"] == d["name"] {
				t.Errorf("the same seed gave the name of a stored NPC again: %v", d["name"])
			}
		})
	}
}

// TestGenerateLocation: a location below a parent of the campaign only;
// saving stores it with its named inhabitants in one go.
func TestGenerateLocation(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			village := p.location("Barovia", "", "players")
			c.must(201, "POST", p.path("/plots"), gm, map[string]any{"title": "The Burgomaster's Funeral", "status": "stalled"})
			_, otherGM, _ := c.signUp("other@example.com")
			other := c.must(201, "POST", "/api/v1/campaigns", otherGM, map[string]any{"name": "Elsewhere"}).str("id")
			foreign := c.must(201, "POST", "/api/v1/campaigns/"+other+"/locations", otherGM, map[string]any{"name": "Far away"}).str("id")
			loc := p.path("/generate/location")
			body := map[string]any{"type": "tavern", "parent_id": village, "hints": map[string]any{"mood": "sinister"}}

			first := c.must(200, "POST", loc+"?seed=7", gm, body)
			if again := c.must(200, "POST", loc+"?seed=7", gm, body); string(again.raw) != string(first.raw) {
				t.Fatalf("seed 7 gave two drafts:\n%s\n%s", first.raw, again.raw)
			}
			d := first.draft()
			if d["parent_id"] != village || d["location_type"] != "tavern" || d["mood"] != "sinister" || !strings.Contains(fmt.Sprint(d["description"]), "Barovia") {
				t.Errorf("draft: %s", first.raw)
			}
			c.must(403, "POST", loc, p.token["player"], body)
			r := c.do("POST", loc, gm, map[string]any{"type": "tavern", "parent_id": foreign})
			if r.status != 404 || r.str("code") != "parent_not_found" {
				t.Errorf("parent of another campaign: %d %s", r.status, r.raw)
			}
			c.must(404, "POST", loc+"?save=true", gm, map[string]any{"type": "tavern", "parent_id": foreign})
			if n := len(c.must(200, "GET", p.path("/locations?flat=true"), gm, nil).items()); n != 1 {
				t.Fatalf("%d locations after drafts and refusals, want 1", n)
			}

			saved := c.must(201, "POST", loc+"?seed=7&save=true", gm, body)
			l, _ := saved.body["location"].(map[string]any)
			if l["name"] != d["name"] || l["parent_id"] != village || saved.header.Get("Location") != "/api/v1/locations/"+fmt.Sprint(l["id"]) {
				t.Fatalf("saved %s", saved.raw)
			}
			view := c.must(200, "GET", "/api/v1/locations/"+fmt.Sprint(l["id"]), gm, nil)
			wantList(t, "breadcrumb", []string{"Barovia"}, view.crumbs())
			meta, _ := view.body["metadata"].(map[string]any)
			if hooks, _ := meta["hooks"].([]any); len(hooks) < 2 {
				t.Errorf("metadata: %v", meta)
			}
			var named []string
			for _, in := range d["inhabitants"].([]any) {
				if m := in.(map[string]any); m["npc"] == true {
					named = append(named, fmt.Sprint(m["name"]))
				}
			}
			inhabitants, _ := saved.body["inhabitants"].([]any)
			if len(inhabitants) != len(named) || len(named) < 2 {
				t.Fatalf("stored %d inhabitants of %v", len(inhabitants), named)
			}
			for i, in := range inhabitants {
				ch := in.(map[string]any)
				notes, _ := ch["notes"].(map[string]any)
				if ch["name"] != named[i] || notes["location_id"] != l["id"] || ch["visibility"] != "gm" {
					t.Errorf("inhabitant %v", ch)
				}
			}
		})
	}
}

// TestGenerateEncounter: over HTTP, for many parties, difficulties and
// seeds, the monsters' adjusted XP lies in the difficulty's band; a
// location themes them; a party too strong for the bestiary is told so.
func TestGenerateEncounter(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, withMonsters(b.open, nil), serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			crypt := c.must(201, "POST", p.path("/locations"), gm, map[string]any{"name": "Tomb of Kings", "location_type": "crypt"}).str("id")
			enc := p.path("/generate/encounter")
			for _, level := range []int{1, 4, 11, 20} {
				for _, size := range []int{1, 4, 7} {
					for _, diff := range []string{"easy", "medium", "hard", "deadly"} {
						for seed := range 2 {
							body := map[string]any{"party_level": level, "party_size": size, "difficulty": diff}
							r := c.must(200, "POST", fmt.Sprintf("%s?seed=%d", enc, seed), gm, body)
							band, _ := r.body["band"].([]any)
							th, _ := r.body["thresholds"].(map[string]any)
							adj, _ := r.body["adjusted_xp"].(float64)
							if len(band) != 2 || band[0] != th[diff] || adj < band[0].(float64) || adj >= band[1].(float64) || r.str("difficulty_reached") != diff {
								t.Fatalf("level %d ×%d %s: %s", level, size, diff, r.raw)
							}
							if seed == 0 && level == 4 && size == 4 {
								if again := c.must(200, "POST", enc+"?seed=0", gm, body); string(again.raw) != string(r.raw) {
									t.Errorf("seed 0 gave two encounters")
								}
							}
						}
					}
				}
			}
			r := c.must(200, "POST", enc+"?seed=5", gm, map[string]any{"party_level": 3, "party_size": 4, "difficulty": "hard", "location_id": crypt})
			if r.str("theme") != "undead" || r.body["themed"] != true {
				t.Errorf("crypt encounter: %s", r.raw)
			}
			for _, bad := range []struct {
				body     map[string]any
				status   int
				location string
			}{
				{map[string]any{"party_level": 0, "party_size": 4}, 422, "body.party_level"},
				{map[string]any{"party_level": 21, "party_size": 4}, 422, "body.party_level"},
				{map[string]any{"party_level": 3, "party_size": 13}, 422, "body.party_size"},
				{map[string]any{"party_level": 3, "party_size": 4, "difficulty": "brutal"}, 422, "body.difficulty"},
				{map[string]any{"party_level": 3, "party_size": 4, "location_id": "0190d5d2-0000-7000-8000-000000000000"}, 404, "location_not_found"},
			} {
				if r := c.do("POST", enc, gm, bad.body); r.status != bad.status || !strings.Contains(string(r.raw), bad.location) {
					t.Errorf("%v: %d %s, want %d naming %s", bad.body, r.status, r.raw, bad.status, bad.location)
				}
			}
			c.must(403, "POST", enc, p.token["player"], map[string]any{"party_level": 3, "party_size": 4})
		})
	}
}

// TestEncounterOutOfReach: with only weak monsters imported a strong party
// is told no set reaches its difficulty, and why; with none, that the
// bestiary is missing.
func TestEncounterOutOfReach(t *testing.T) {
	t.Parallel()
	weak := func(e reference.Entry) bool { return e.Card.Monster != nil && e.Card.Monster.XP <= 200 }
	c := newServer(t, withMonsters(backends[0].open, weak), serverOpts{})
	p := newParty(t, c)
	enc := p.path("/generate/encounter")
	r := c.do("POST", enc, p.token["gm"], map[string]any{"party_level": 20, "party_size": 6, "difficulty": "deadly"})
	if r.status != 422 || r.str("code") != "encounter_out_of_reach" || !strings.Contains(r.str("detail"), "too strong") || !strings.Contains(r.str("detail"), "76200") {
		t.Errorf("too strong: %d %s", r.status, r.raw)
	}
	c.must(200, "POST", enc, p.token["gm"], map[string]any{"party_level": 1, "party_size": 4, "difficulty": "deadly"})

	bare := newServer(t, backends[0].open, serverOpts{})
	q := newParty(t, bare)
	if r := bare.do("POST", q.path("/generate/encounter"), q.token["gm"], map[string]any{"party_level": 1, "party_size": 4}); r.status != 409 || r.str("code") != "no_bestiary" {
		t.Errorf("no bestiary: %d %s", r.status, r.raw)
	}
}

// TestPlotHooks: hooks come from the campaign's open threads, NPC
// motivations, unrevealed foreshadowing and strained relationships, each
// citing its sources; saving makes them plot threads.
func TestPlotHooks(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			ismark := p.character(map[string]any{"name": "Ismark", "character_type": "npc", "notes": map[string]any{"motivation": "wants to keep his sister safe"}})
			doru := p.character(map[string]any{"name": "Doru", "character_type": "npc"})
			village := p.location("Barovia", "", "players")
			funeral := c.must(201, "POST", p.path("/plots"), gm, map[string]any{"title": "The Burgomaster's Funeral", "status": "stalled",
				"character_ids": []string{ismark}, "location_ids": []string{village}, "milestones": []map[string]any{{"title": "Dig the grave"}}}).str("id")
			done := c.must(201, "POST", p.path("/plots"), gm, map[string]any{"title": "Old business", "status": "resolved"}).str("id")
			hint := c.must(201, "POST", "/api/v1/plots/"+funeral+"/foreshadowing", gm, map[string]any{"description": "The coffin is too light"}).str("id")
			c.must(201, "POST", "/api/v1/plots/"+done+"/foreshadowing", gm, map[string]any{"description": "Hint of a closed thread"})
			rel := c.must(201, "POST", "/api/v1/characters/"+ismark+"/relationships", gm, map[string]any{"target_id": doru, "kind": "rival", "attitude": -60, "mutual": true})
			pair := []string{rel.str("id") + " ", rel.str("pair_id") + " "}
			c.must(201, "POST", "/api/v1/characters/"+doru+"/relationships", gm, map[string]any{"target_id": ismark, "kind": "ally", "attitude": 40})

			hooks := p.path("/plot-hooks")
			first := c.must(200, "POST", hooks+"?seed=3", gm, map[string]any{"count": 20})
			if again := c.must(200, "POST", hooks+"?seed=3", gm, map[string]any{"count": 20}); string(again.raw) != string(first.raw) {
				t.Fatalf("seed 3 gave two answers")
			}
			got := map[string]string{}
			for _, h := range first.draft()["hooks"].([]any) {
				hook := h.(map[string]any)
				sources := hook["sources"].([]any)
				if len(sources) == 0 {
					t.Fatalf("hook without sources: %v", hook)
				}
				got[fmt.Sprint(hook["kind"])] += fmt.Sprint(sources[0].(map[string]any)["id"]) + " "
			}
			want := map[string]string{"unresolved_thread": funeral + " ", "npc_motivation": ismark + " ", "foreshadowing": hint + " "}
			for kind, ids := range want {
				if got[kind] != ids {
					t.Errorf("%s hooks from %q, want %q", kind, got[kind], ids)
				}
			}
			if s := got["strained_relationship"]; s != pair[0] && s != pair[1] {
				t.Errorf("strained relationship hooks from %q, want one from %v (a mutual pair is one strain)", s, pair)
			}
			c.must(403, "POST", hooks, p.token["player"], nil)
			c.must(422, "POST", hooks, gm, map[string]any{"count": 21})

			saved := c.must(201, "POST", hooks+"?seed=3&save=true", gm, map[string]any{"count": 2})
			plots, _ := saved.body["plots"].([]any)
			if len(plots) != 2 {
				t.Fatalf("saved %s", saved.raw)
			}
			for _, pl := range plots {
				m := pl.(map[string]any)
				stored := c.must(200, "GET", "/api/v1/plots/"+fmt.Sprint(m["id"]), gm, nil)
				if stored.str("status") != "hook" || stored.str("visibility") != "gm" || stored.str("summary") == "" {
					t.Errorf("stored hook: %s", stored.raw)
				}
			}
		})
	}
}
