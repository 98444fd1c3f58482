package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestKeywords runs the custom keyword CRUD through each role.
func TestKeywords(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]

			created := c.must(201, "POST", p.path("/keywords"), gm, map[string]any{"term": " The Ember Crown ", "aliases": []string{"Crown", "Crown", " "}})
			secret := created.str("id")
			if loc := created.header.Get("Location"); loc != "/api/v1/keywords/"+secret || created.header.Get("ETag") != `"1"` {
				t.Errorf("Location %q, ETag %q", loc, created.header.Get("ETag"))
			}
			if created.str("term") != "The Ember Crown" || created.str("category") != "custom" || created.str("visibility") != "gm" ||
				fmt.Sprint(created.body["aliases"]) != "[Crown]" || created.body["common"] != false {
				t.Errorf("created = %s; want trimmed term, custom, gm, one alias", created.raw)
			}
			open := c.must(201, "POST", p.path("/keywords"), gm, map[string]any{"term": "Iron Lanterns", "category": "Faction",
				"visibility": "players", "notes": "The city watch."}).str("id")
			c.must(409, "POST", p.path("/keywords"), gm, map[string]any{"term": "iron   LANTERNS"})

			// What each role may do.
			for role, want := range statuses("gm:200 owner:404 player:404 observer:404 outsider:404") {
				c.must(want, "GET", "/api/v1/keywords/"+secret, p.token[role], nil)
			}
			for role, want := range statuses("gm:200 owner:200 player:200 observer:200 outsider:404") {
				c.must(want, "GET", "/api/v1/keywords/"+open, p.token[role], nil)
			}
			for role, want := range statuses("gm:2 player:1 observer:1") {
				if got := c.must(200, "GET", p.path("/keywords"), p.token[role], nil).items(); len(got) != want {
					t.Errorf("%s lists %d keywords, want %d", role, len(got), want)
				}
			}
			c.must(404, "GET", p.path("/keywords"), p.token["outsider"], nil)
			if got := c.must(200, "GET", p.path("/keywords?category=FACTION"), gm, nil).ids(); len(got) != 1 || got[0] != open {
				t.Errorf("?category=FACTION = %v", got)
			}
			c.must(403, "POST", p.path("/keywords"), p.token["player"], map[string]any{"term": "Mine"})
			c.must(403, "PATCH", "/api/v1/keywords/"+open, p.token["player"], map[string]any{"notes": "x"})
			c.must(403, "DELETE", "/api/v1/keywords/"+open, p.token["observer"], nil)
			c.must(404, "PATCH", "/api/v1/keywords/"+secret, p.token["player"], map[string]any{"notes": "x"})

			// Versions: PATCH and PUT bump them; stale ones are refused.
			path := "/api/v1/keywords/" + open
			c.must(200, "PATCH", path, gm, map[string]any{"common": true, "aliases": []string{"the Lanterns"}}, "If-Match", `"1"`)
			if stale := c.must(409, "PATCH", path, gm, map[string]any{"term": "Lost"}, "If-Match", `"1"`); stale.str("code") != "stale_version" {
				t.Errorf("stale PATCH code = %q", stale.str("code"))
			}
			put := c.must(200, "PUT", path, gm, map[string]any{"term": "Iron Lanterns"}, "If-Match", `"2"`)
			if put.str("category") != "custom" || put.str("visibility") != "gm" || put.body["common"] != false ||
				len(put.body["aliases"].([]any)) != 0 || put.header.Get("ETag") != `"3"` {
				t.Errorf("PUT = %s; want defaults and version 3", put.raw)
			}
			if dup := c.must(409, "PATCH", path, gm, map[string]any{"term": "the ember crown"}); dup.str("code") != "keyword_exists" {
				t.Errorf("renaming onto another term: code %q", dup.str("code"))
			}
			c.must(409, "DELETE", path, gm, nil, "If-Match", `"2"`)
			c.must(204, "DELETE", path, gm, nil, "If-Match", `"3"`)
			c.must(404, "GET", path, gm, nil)
			events := c.must(200, "GET", p.path("/events?entity_type=keyword&entity_id="+open), gm, nil)
			if n := len(events.items()); n != 4 { // create, patch, put, delete
				t.Errorf("audit events for the keyword = %d, want 4", n)
			}
		})
	}
}

func TestKeywordBadInput(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			id := c.must(201, "POST", p.path("/keywords"), gm, map[string]any{"term": "Sola", "category": "deity"}).str("id")
			sid := c.must(201, "POST", p.path("/sessions"), gm, map[string]any{"title": "1"}).str("id")
			path := "/api/v1/keywords/" + id
			long := strings.Repeat("x", 256)
			tests := []struct {
				name     string
				method   string
				path     string
				body     any
				want     int
				location string
				headers  []string
			}{
				{"missing term", "POST", p.path("/keywords"), map[string]any{"category": "item"}, 422, "body.term", nil},
				{"empty term", "POST", p.path("/keywords"), map[string]any{"term": "   "}, 422, "body.term", nil},
				{"term too long", "POST", p.path("/keywords"), map[string]any{"term": long}, 422, "body.term", nil},
				{"category two words", "POST", p.path("/keywords"), map[string]any{"term": "X", "category": "magic item"}, 422, "body.category", nil},
				{"category too long", "POST", p.path("/keywords"), map[string]any{"term": "X", "category": strings.Repeat("c", 33)}, 422, "body.category", nil},
				{"category starts with a digit", "POST", p.path("/keywords"), map[string]any{"term": "X", "category": "1st"}, 422, "body.category", nil},
				{"bad visibility", "POST", p.path("/keywords"), map[string]any{"term": "X", "visibility": "all"}, 422, "body.visibility", nil},
				{"alias too long", "POST", p.path("/keywords"), map[string]any{"term": "X", "aliases": []string{long}}, 422, "body.aliases", nil},
				{"too many aliases", "POST", p.path("/keywords"), map[string]any{"term": "X", "aliases": make([]string, 51)}, 422, "body.aliases", nil},
				{"notes too long", "POST", p.path("/keywords"), map[string]any{"term": "X", "notes": strings.Repeat("n", 10_001)}, 422, "body.notes", nil},
				{"common not a bool", "POST", p.path("/keywords"), `{"term": "X", "common": "yes"}`, 422, "body.common", nil},
				{"patch empty term", "PATCH", path, map[string]any{"term": ""}, 422, "body.term", nil},
				{"patch bad category", "PATCH", path, map[string]any{"category": "Holy Symbol!"}, 422, "body.category", nil},
				{"put without term", "PUT", path, map[string]any{"category": "deity"}, 422, "body.term", nil},
				{"bad If-Match", "PATCH", path, map[string]any{"notes": "y"}, 422, "header.If-Match", []string{"If-Match", "soon"}},
				{"stale If-Match", "PATCH", path, map[string]any{"notes": "y"}, 409, "", []string{"If-Match", `"5"`}},
				{"keyword id not a uuid", "GET", "/api/v1/keywords/42", nil, 422, "path.keyword_id", nil},
				{"unknown keyword", "GET", "/api/v1/keywords/" + p.campaign, nil, 404, "", nil},
				{"hits of a bad kind", "GET", "/api/v1/sessions/" + sid + "/keywords?kind=spell", nil, 422, "query.kind", nil},
				{"hits with a bad cursor", "GET", "/api/v1/sessions/" + sid + "/keywords?cursor=nope", nil, 422, "query.cursor", nil},
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
			if n := len(c.must(200, "GET", p.path("/keywords"), gm, nil).items()); n != 1 {
				t.Errorf("keywords after bad input = %d, want 1", n)
			}
			if got := c.must(200, "GET", path, gm, nil); got.str("term") != "Sola" || got.body["version"] != float64(1) {
				t.Errorf("keyword after bad input = %s", got.raw)
			}
		})
	}
}
