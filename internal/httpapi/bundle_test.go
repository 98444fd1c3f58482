package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// richCampaign fills the party's campaign with one of everything: played
// and scheduled sessions, PCs and GM-only NPCs, an achievement, mutual and
// one-way relationships with a history, a three-level location tree, plot
// threads with milestones, links, dependencies and foreshadowing (one
// revealed), and a custom keyword.
func richCampaign(t *testing.T, p *party) {
	t.Helper()
	c, gm := p.c, p.token["gm"]
	s1, s2 := p.playSession(), p.playSession()
	c.must(200, "PATCH", "/api/v1/sessions/"+s1, gm, map[string]any{"notes": "The party met at the inn."})
	c.must(201, "POST", p.path("/sessions"), gm, map[string]any{"title": "Into the crypt", "scheduled_at": "2030-01-05T19:00:00Z"})

	pc := p.character(map[string]any{"name": "Ireena", "character_type": "pc", "owner_id": p.user["owner"], "aliases": []string{"Tatyana"},
		"tags": []string{"noble"}, "stats": map[string]any{"hp": 22}, "notes": map[string]any{"bio": "Burgomaster's daughter"}})
	npc := p.character(map[string]any{"name": "Strahd", "character_type": "npc", "visibility": "gm", "voice_notes": "Slow, amused",
		"gm_notes": map[string]any{"secret": "vampire"}, "aliases": []string{"The Devil"}})
	ally := p.character(map[string]any{"name": "Ismark", "character_type": "npc", "visibility": "players"})
	c.must(201, "POST", "/api/v1/characters/"+pc+"/achievements", gm, map[string]any{"title": "Survived the night", "session_id": s1})

	c.must(201, "POST", "/api/v1/characters/"+pc+"/relationships", gm, map[string]any{"target_id": ally, "kind": "family", "attitude": 80, "mutual": true, "visibility": "players"})
	obsession := c.must(201, "POST", "/api/v1/characters/"+npc+"/relationships", gm, map[string]any{"target_id": pc, "kind": "obsession", "attitude": 60}).str("id")
	c.must(200, "PATCH", "/api/v1/relationships/"+obsession, gm, map[string]any{"attitude": 100, "note": "She refused him", "session_id": s2})

	coast := p.location("Coast", "", "players")
	city := p.location("Vallaki", coast, "players")
	inn := p.location("Blue Water Inn", city, "players")
	p.location("Castle", "", "gm")

	a := p.plot(map[string]any{"title": "Escape Barovia", "status": "active", "character_ids": []string{pc, ally}, "location_ids": []string{inn},
		"milestones": []map[string]any{{"title": "Find the sword"}, {"title": "Face Strahd"}}})
	b := p.plot(map[string]any{"title": "The Sunsword", "status": "hook", "location_ids": []string{city}})
	d := p.plot(map[string]any{"title": "Dark Gift", "status": "stalled", "visibility": "gm"})
	c.must(201, "POST", "/api/v1/plots/"+a+"/dependencies", gm, map[string]any{"depends_on": b})
	c.must(201, "POST", "/api/v1/plots/"+b+"/dependencies", gm, map[string]any{"depends_on": d})
	m1 := c.must(200, "GET", "/api/v1/plots/"+a, gm, nil).field("milestones", 0, "id")
	c.must(200, "PUT", "/api/v1/plots/"+a+"/progress", gm, map[string]any{"progress": 40, "status": "active", "milestone_id": m1, "completed": true, "session_id": s1})
	c.must(201, "POST", "/api/v1/plots/"+a+"/foreshadowing", gm, map[string]any{"description": "A raven watches", "session_id": s1})
	hint := c.must(201, "POST", "/api/v1/plots/"+b+"/foreshadowing", gm, map[string]any{"description": "The wine tastes of iron", "session_id": s1}).str("id")
	c.must(200, "PATCH", "/api/v1/foreshadowing/"+hint, gm, map[string]any{"revealed": true, "session_id": s2})
	c.must(201, "POST", p.path("/keywords"), gm, map[string]any{"term": "Sunsword", "aliases": []string{"Sword of Sergei"}, "category": "item"})
}

// exportDoc reads a campaign's export as a generic JSON document.
func exportDoc(t *testing.T, c *client, campaign, token string) map[string]any {
	t.Helper()
	r := c.must(200, "GET", "/api/v1/campaigns/"+campaign+"/export", token, nil)
	var doc map[string]any
	if err := json.Unmarshal(r.raw, &doc); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	return doc
}

// normalize replaces every entity id of a document by its place
// ("characters[1]") and drops exported_at, so two exports of equal
// campaigns compare equal. Times are kept: import restores them.
func normalize(doc map[string]any) map[string]any {
	names := map[string]string{}
	for key, list := range doc {
		items, _ := list.([]any)
		for i, it := range items {
			m, _ := it.(map[string]any)
			if id, ok := m["id"].(string); ok {
				names[id] = fmt.Sprintf("%s[%d]", key, i)
			}
			ms, _ := m["milestones"].([]any)
			for j, mi := range ms {
				if id, ok := mi.(map[string]any)["id"].(string); ok {
					names[id] = fmt.Sprintf("%s[%d].milestones[%d]", key, i, j)
				}
			}
		}
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				v[k] = walk(x)
			}
		case []any:
			for i, x := range v {
				v[i] = walk(x)
			}
		case string:
			if n, ok := names[v]; ok {
				return n
			}
		}
		return v
	}
	delete(doc, "exported_at")
	return walk(doc).(map[string]any)
}

func TestCampaignExportImportRoundTrip(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, be.open, serverOpts{})
			p := newParty(t, c)
			richCampaign(t, p)
			gm := p.token["gm"]
			first := exportDoc(t, c, p.campaign, gm)
			raw, _ := json.Marshal(first)

			imported := c.must(201, "POST", "/api/v1/campaigns/import", gm, raw)
			newID, _ := imported.field("campaign", "id").(string)
			if newID == "" || newID == p.campaign || imported.header.Get("Location") != "/api/v1/campaigns/"+newID {
				t.Fatalf("import answered %s", imported.raw)
			}
			// Every member has an account here; the importer is the GM, not skipped.
			if got := fmt.Sprint(imported.body["skipped_members"]); got != "[]" {
				t.Errorf("skipped_members = %s, want none", got)
			}
			second := exportDoc(t, c, newID, gm)
			for _, key := range []string{"sessions", "characters", "relationships", "locations", "plots", "plot_dependencies", "foreshadowing", "keywords", "achievements"} {
				if n := len(first[key].([]any)); n == 0 {
					t.Errorf("the rich campaign has no %s", key)
				}
			}
			if diff := cmp.Diff(normalize(first), normalize(second)); diff != "" {
				t.Errorf("export → import → export differs (-first +second):\n%s", diff)
			}

			// The owner's PC stays theirs, and players still see no GM secrets.
			c.must(200, "GET", "/api/v1/campaigns/"+newID, p.token["owner"], nil)
			c.must(403, "GET", "/api/v1/campaigns/"+newID+"/export", p.token["owner"], nil)
			c.must(404, "GET", "/api/v1/campaigns/"+p.campaign+"/export", p.token["outsider"], nil)

			book := c.must(200, "GET", "/api/v1/campaigns/"+p.campaign+"/export?format=markdown", gm, nil)
			md := string(book.raw)
			if !strings.HasPrefix(book.header.Get("Content-Type"), "text/markdown") {
				t.Errorf("markdown Content-Type = %q", book.header.Get("Content-Type"))
			}
			for _, want := range []string{"# Barovia", "#### Ireena", "Strahd *(GM only)*", "**Ireena** ↔ **Ismark**: family",
				"- **Coast**", "  - **Vallaki**", "    - **Blue Water Inn**", "### Escape Barovia", "- [x] Find the sword",
				"- **Depends on:** The Sunsword", "revealed in session 2", "### Session 1: Evening", "The party met at the inn."} {
				if !strings.Contains(md, want) {
					t.Errorf("markdown lacks %q:\n%s", want, md)
				}
			}
			again := c.must(200, "GET", "/api/v1/campaigns/"+p.campaign+"/export?format=markdown", gm, nil)
			if string(again.raw) != md {
				t.Errorf("markdown export is not deterministic")
			}
		})
	}
}

func TestCampaignImportBadInput(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, be.open, serverOpts{})
			p := newParty(t, c)
			richCampaign(t, p)
			good := exportDoc(t, c, p.campaign, p.token["gm"])
			importer := p.token["player"]
			before := len(c.must(200, "GET", "/api/v1/campaigns", importer, nil).items())

			// edit returns a copy of the good document changed by fn.
			edit := func(fn func(doc map[string]any)) []byte {
				raw, _ := json.Marshal(good)
				var doc map[string]any
				_ = json.Unmarshal(raw, &doc)
				fn(doc)
				out, _ := json.Marshal(doc)
				return out
			}
			item := func(doc map[string]any, key string, i int) map[string]any {
				return doc[key].([]any)[i].(map[string]any)
			}
			const stranger = "01900000-0000-7000-8000-000000000000"
			for _, tc := range []struct {
				name, want string
				body       any
			}{
				{"wrong format_version", "body.format_version", edit(func(d map[string]any) { d["format_version"] = 2 })},
				{"missing format_version", "body.format_version", edit(func(d map[string]any) { delete(d, "format_version") })},
				{"not an object", "body", "[1, 2]"},
				{"wrong type", "body.relationships.attitude", edit(func(d map[string]any) { item(d, "relationships", 0)["attitude"] = "warm" })},
				{"relationship to a stranger", "body.relationships[2].target_id", edit(func(d map[string]any) { item(d, "relationships", 2)["target_id"] = stranger })},
				{"broken pair", "body.relationships[0].pair_id", edit(func(d map[string]any) { item(d, "relationships", 0)["pair_id"] = stranger })},
				{"missing parent", "body.locations[1].parent_id", edit(func(d map[string]any) { item(d, "locations", 1)["parent_id"] = stranger })},
				{"parent loop", "body.locations[0].parent_id", edit(func(d map[string]any) { item(d, "locations", 0)["parent_id"] = item(d, "locations", 2)["id"] })},
				{"plot link", "body.plots[0].character_ids[0]", edit(func(d map[string]any) { item(d, "plots", 0)["character_ids"] = []string{stranger} })},
				{"achievement session", "body.achievements[0].session_id", edit(func(d map[string]any) { item(d, "achievements", 0)["session_id"] = stranger })},
				{"foreshadowing plot", "body.foreshadowing[1].plot_id", edit(func(d map[string]any) { item(d, "foreshadowing", 1)["plot_id"] = stranger })},
				{"dependency cycle", "body.plot_dependencies[2].depends_on_id", edit(func(d map[string]any) {
					dep := item(d, "plot_dependencies", 0)
					d["plot_dependencies"] = append(d["plot_dependencies"].([]any), map[string]any{"plot_id": item(d, "plot_dependencies", 1)["depends_on_id"], "depends_on_id": dep["plot_id"]})
				})},
				{"bad attitude", "body.relationships[2].attitude", edit(func(d map[string]any) { item(d, "relationships", 2)["attitude"] = 101 })},
				{"repeated id", "body.characters[1].id", edit(func(d map[string]any) { item(d, "characters", 1)["id"] = item(d, "characters", 0)["id"] })},
			} {
				t.Run(tc.name, func(t *testing.T) {
					r := c.must(422, "POST", "/api/v1/campaigns/import", importer, tc.body)
					if !strings.Contains(string(r.raw), `"location":"`+tc.want+`"`) {
						t.Errorf("import answered %s, want an error at %s", r.raw, tc.want)
					}
				})
			}
			if after := len(c.must(200, "GET", "/api/v1/campaigns", importer, nil).items()); after != before {
				t.Errorf("failed imports left campaigns behind: %d before, %d after", before, after)
			}
			c.must(401, "POST", "/api/v1/campaigns/import", "", edit(func(map[string]any) {}))
			// The same document, unharmed, imports for a player, who becomes its GM.
			res := c.must(201, "POST", "/api/v1/campaigns/import", importer, edit(func(map[string]any) {}))
			id, _ := res.field("campaign", "id").(string)
			c.must(200, "GET", "/api/v1/campaigns/"+id+"/export", importer, nil)
		})
	}
}
