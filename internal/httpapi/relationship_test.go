package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// history returns "before→after note" for each history entry of r.
func (r response) history() []string {
	var out []string
	raw, _ := r.body["history"].([]any)
	for _, h := range raw {
		e := h.(map[string]any)
		out = append(out, fmt.Sprintf("%v→%v %v", e["attitude_before"], e["attitude_after"], e["note"]))
	}
	return out
}

func TestRelationships(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			npc := func(name string) string {
				return p.character(map[string]any{"name": name, "character_type": "npc", "visibility": "players"})
			}
			ismark, ireena, strahd := npc("Ismark"), npc("Ireena"), npc("Strahd")
			session := c.must(201, "POST", p.path("/sessions"), gm, map[string]any{"title": "Death House"}).str("id")

			created := c.must(201, "POST", "/api/v1/characters/"+ismark+"/relationships", gm, map[string]any{
				"target_id": ireena, "kind": "family", "attitude": 90, "description": "Siblings", "visibility": "players",
				"mutual": true, "session_id": session, "note": "Met at the burgomaster's house",
			})
			id, pair := created.str("id"), created.str("pair_id")
			if created.header.Get("Location") != "/api/v1/relationships/"+id || pair == "" || created.body["mutual"] != true {
				t.Fatalf("create = %s", created.raw)
			}
			reverse := c.must(200, "GET", "/api/v1/relationships/"+pair, p.token["player"], nil)
			if reverse.str("source_id") != ireena || reverse.str("target_id") != ismark || reverse.body["attitude"] != float64(90) {
				t.Errorf("reverse edge = %s", reverse.raw)
			}
			hostile := c.must(201, "POST", "/api/v1/characters/"+strahd+"/relationships", gm, map[string]any{"target_id": ireena, "kind": "obsession", "attitude": 100})
			if hostile.str("visibility") != "gm" {
				t.Errorf("default relationship visibility = %q, want gm", hostile.str("visibility"))
			}

			// Ireena's relationships: both edges of the pair, and Strahd's
			// obsession for the GM only.
			if got := c.must(200, "GET", "/api/v1/characters/"+ireena+"/relationships", gm, nil).items(); len(got) != 3 {
				t.Errorf("GM sees %d relationships of Ireena, want 3", len(got))
			}
			listed := c.must(200, "GET", "/api/v1/characters/"+ireena+"/relationships", p.token["player"], nil)
			if got := listed.items(); len(got) != 2 || len(got[0]["history"].([]any)) != 1 {
				t.Errorf("player's list = %s, want the pair with history", listed.raw)
			}

			// Changing one edge of the pair changes both, and both remember.
			patched := c.must(200, "PATCH", "/api/v1/relationships/"+pair, gm, map[string]any{"attitude": -20, "note": "Quarrel over the Abbey"}, "If-Match", `"1"`)
			if patched.header.Get("ETag") != `"2"` || strings.Join(patched.history(), "|") != "<nil>→90 Met at the burgomaster's house|90→-20 Quarrel over the Abbey" {
				t.Errorf("patched = %s, ETag %s", patched.history(), patched.header.Get("ETag"))
			}
			first := c.must(200, "GET", "/api/v1/relationships/"+id, gm, nil)
			if first.body["attitude"] != float64(-20) || first.body["version"] != float64(2) || len(first.history()) != 2 {
				t.Errorf("other edge after PATCH = %s", first.raw)
			}
			c.must(409, "PATCH", "/api/v1/relationships/"+id, gm, map[string]any{"attitude": 50}, "If-Match", `"1"`)
			put := c.must(200, "PUT", "/api/v1/relationships/"+id, gm, map[string]any{"kind": "family", "attitude": 40, "visibility": "players"}, "If-Match", `"2"`)
			if put.body["mutual"] != false || !strings.Contains(strings.Join(put.history(), "|"), "-20→40 attitude -20 → 40; description changed; no longer mutual") {
				t.Errorf("PUT without mutual = %s, history %v", put.raw, put.history())
			}
			if still := c.must(200, "GET", "/api/v1/relationships/"+pair, gm, nil); still.body["mutual"] != false || still.body["attitude"] != float64(-20) {
				t.Errorf("unlinked reverse edge = %s", still.raw)
			}
			relinked := c.must(200, "PATCH", "/api/v1/relationships/"+id, gm, map[string]any{"mutual": true})
			if relinked.str("pair_id") != pair {
				t.Errorf("mutual again linked %q, want the existing reverse %s", relinked.str("pair_id"), pair)
			}

			c.must(204, "DELETE", "/api/v1/relationships/"+pair, gm, nil)
			c.must(404, "GET", "/api/v1/relationships/"+id, gm, nil)
			if got := c.must(200, "GET", "/api/v1/characters/"+ismark+"/relationships", gm, nil).items(); len(got) != 0 {
				t.Errorf("relationships after deleting the pair = %d", len(got))
			}
			events := c.must(200, "GET", p.path("/events?entity_type=relationship"), gm, nil)
			if n := len(events.items()); n != 6 { // 2 creates, patch, put, patch, delete
				t.Errorf("relationship audit events = %d, want 6", n)
			}

			// Achievements: the GM awards, members read.
			award := c.must(201, "POST", "/api/v1/characters/"+ireena+"/achievements", gm, map[string]any{"title": "Escaped Barovia", "session_id": session})
			if award.str("session_id") != session || award.str("awarded_by") != p.user["gm"] || award.str("awarded_at") == "" {
				t.Errorf("award = %s", award.raw)
			}
			if got := c.must(200, "GET", "/api/v1/characters/"+ireena+"/achievements", p.token["observer"], nil).items(); len(got) != 1 {
				t.Errorf("observer sees %d achievements, want 1", len(got))
			}
		})
	}
}

func TestRelationshipBadInput(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			a := p.character(map[string]any{"name": "A", "character_type": "npc"})
			bb := p.character(map[string]any{"name": "B", "character_type": "npc"})
			other := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Elsewhere"}).str("id")
			stranger := c.must(201, "POST", "/api/v1/campaigns/"+other+"/characters", gm, map[string]any{"name": "Stranger", "character_type": "npc"}).str("id")
			elsewhereSession := c.must(201, "POST", "/api/v1/campaigns/"+other+"/sessions", gm, map[string]any{"title": "S"}).str("id")
			rel := c.must(201, "POST", "/api/v1/characters/"+a+"/relationships", gm, map[string]any{"target_id": bb, "kind": "ally", "attitude": 10}).str("id")
			create := "/api/v1/characters/" + a + "/relationships"
			tests := []struct {
				name     string
				method   string
				path     string
				body     any
				want     int
				location string
				headers  []string
			}{
				{"attitude too high", "POST", create, map[string]any{"target_id": bb, "kind": "rival", "attitude": 101}, 422, "body.attitude", nil},
				{"attitude too low", "PATCH", "/api/v1/relationships/" + rel, map[string]any{"attitude": -101}, 422, "body.attitude", nil},
				{"target in another campaign", "POST", create, map[string]any{"target_id": stranger, "kind": "rival"}, 404, "", nil},
				{"unknown target", "POST", create, map[string]any{"target_id": other, "kind": "rival"}, 404, "", nil},
				{"self", "POST", create, map[string]any{"target_id": a, "kind": "rival"}, 422, "body.target_id", nil},
				{"duplicate", "POST", create, map[string]any{"target_id": bb, "kind": "ally"}, 409, "", nil},
				{"kind not a word", "POST", create, map[string]any{"target_id": bb, "kind": "Best Friend"}, 422, "body.kind", nil},
				{"kind too long", "POST", create, map[string]any{"target_id": bb, "kind": strings.Repeat("k", 33)}, 422, "body.kind", nil},
				{"missing kind", "POST", create, map[string]any{"target_id": bb}, 422, "body.kind", nil},
				{"bad visibility", "POST", create, map[string]any{"target_id": bb, "kind": "rival", "visibility": "all"}, 422, "body.visibility", nil},
				{"session of another campaign", "POST", create, map[string]any{"target_id": bb, "kind": "rival", "session_id": elsewhereSession}, 404, "", nil},
				{"note too long", "PATCH", "/api/v1/relationships/" + rel, map[string]any{"note": strings.Repeat("n", 2001)}, 422, "body.note", nil},
				{"stale If-Match", "PATCH", "/api/v1/relationships/" + rel, map[string]any{"attitude": 5}, 409, "", []string{"If-Match", `"3"`}},
				{"put stale If-Match", "PUT", "/api/v1/relationships/" + rel, map[string]any{"kind": "ally"}, 409, "", []string{"If-Match", `"2"`}},
				{"depth out of range", "GET", p.path("/graph?center=" + a + "&depth=5"), nil, 422, "query.depth", nil},
				{"graph without centre", "GET", p.path("/graph"), nil, 422, "query.center", nil},
				{"graph centre elsewhere", "GET", p.path("/graph?center=" + stranger), nil, 404, "", nil},
				{"path to elsewhere", "GET", p.path("/graph/path?from=" + a + "&to=" + stranger), nil, 404, "", nil},
				{"award without title", "POST", "/api/v1/characters/" + a + "/achievements", map[string]any{"title": " "}, 422, "body.title", nil},
				{"award in another campaign's session", "POST", "/api/v1/characters/" + a + "/achievements", map[string]any{"title": "T", "session_id": elsewhereSession}, 404, "", nil},
			}
			for _, tc := range tests {
				r := c.do(tc.method, tc.path, gm, tc.body, tc.headers...)
				if r.status != tc.want {
					t.Errorf("%s: status %d %s, want %d", tc.name, r.status, r.raw, tc.want)
					continue
				}
				if r.str("code") == "" || (tc.location != "" && !strings.Contains(string(r.raw), `"location":"`+tc.location+`"`)) {
					t.Errorf("%s: problem does not name %s: %s", tc.name, tc.location, r.raw)
				}
			}
			// Nothing was stored or changed by any of them.
			list := c.must(200, "GET", create, gm, nil)
			if items := list.items(); len(items) != 1 || items[0]["version"] != float64(1) || len(items[0]["history"].([]any)) != 1 {
				t.Errorf("relationships after bad input = %s", list.raw)
			}
			if got := c.must(200, "GET", "/api/v1/characters/"+a+"/achievements", gm, nil).items(); len(got) != 0 {
				t.Errorf("achievements after bad input = %d", len(got))
			}
		})
	}
}
