package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// names returns the "name" of each item of a list answer.
func (r response) names() []string {
	var out []string
	for _, it := range r.items() {
		out = append(out, fmt.Sprint(it["name"]))
	}
	return out
}

// crumbs returns the names of a location's breadcrumb.
func (r response) crumbs() []string {
	raw, _ := r.body["ancestors"].([]any)
	var out []string
	for _, a := range raw {
		m, _ := a.(map[string]any)
		out = append(out, fmt.Sprint(m["name"]))
	}
	return out
}

// location creates a location as the GM and returns its id.
func (p *party) location(name, parent, visibility string) string {
	p.c.t.Helper()
	body := map[string]any{"name": name, "location_type": "place", "visibility": visibility}
	if parent != "" {
		body["parent_id"] = parent
	}
	return p.c.must(201, "POST", p.path("/locations"), p.token["gm"], body).str("id")
}

func wantList(t *testing.T, what string, want, got []string) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, diff)
	}
}

// TestLocations builds, reads, reorganises and prunes a location tree.
func TestLocations(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm, player := p.token["gm"], p.token["player"]
			created := c.must(201, "POST", p.path("/locations"), gm, map[string]any{"name": "Sword Coast", "location_type": "region",
				"visibility": "players", "metadata": map[string]any{"climate": "temperate"}, "coordinates": map[string]any{"x": 1, "y": 2}})
			coast := created.str("id")
			if created.header.Get("Location") != "/api/v1/locations/"+coast || created.header.Get("ETag") != `"1"` || created.body["depth"] != float64(1) {
				t.Errorf("created: %v %s", created.header, created.raw)
			}
			city := p.location("Waterdeep", coast, "players")
			inn := p.location("Yawning Portal", city, "players")
			lair := p.location("Xanathar's Lair", city, "gm")
			den := p.location("Beholder's den", lair, "players")
			if secret := c.must(201, "POST", p.path("/locations"), gm, map[string]any{"name": "Default"}); secret.str("visibility") != "gm" {
				t.Errorf("default visibility = %q, want gm", secret.str("visibility"))
			}

			got := c.must(200, "GET", "/api/v1/locations/"+inn, player, nil)
			wantList(t, "breadcrumb of the inn", []string{"Sword Coast", "Waterdeep"}, got.crumbs())
			for who, want := range map[string]float64{gm: 2, player: 1} {
				if n := c.must(200, "GET", "/api/v1/locations/"+city, who, nil).body["children_count"]; n != want {
					t.Errorf("children_count of the city = %v, want %v", n, want)
				}
			}
			c.must(404, "GET", "/api/v1/locations/"+den, player, nil) // below a GM-only location

			wantList(t, "roots (gm)", []string{"Sword Coast", "Default"}, c.must(200, "GET", p.path("/locations"), gm, nil).names())
			wantList(t, "roots (player)", []string{"Sword Coast"}, c.must(200, "GET", p.path("/locations"), player, nil).names())
			wantList(t, "children of the city", []string{"Yawning Portal", "Xanathar's Lair"}, c.must(200, "GET", p.path("/locations?parent_id="+city), gm, nil).names())
			wantList(t, "subtree (player)", []string{"Waterdeep", "Yawning Portal"}, c.must(200, "GET", p.path("/locations?flat=true&parent_id="+coast), player, nil).names())
			c.must(404, "GET", p.path("/locations?parent_id="+lair), player, nil)
			var paged []string
			for path := p.path("/locations?flat=true&limit=2"); ; {
				r := c.must(200, "GET", path, gm, nil)
				paged = append(paged, r.names()...)
				if r.str("next_cursor") == "" {
					break
				}
				path = p.path("/locations?flat=true&limit=2&cursor=" + r.str("next_cursor"))
			}
			wantList(t, "whole tree, paged", []string{"Sword Coast", "Waterdeep", "Yawning Portal", "Xanathar's Lair", "Beholder's den", "Default"}, paged)

			// Moving the inn below the lair hides it from players; moving the
			// city to the top takes its subtree along.
			moved := c.must(200, "POST", "/api/v1/locations/"+inn+"/move", gm, map[string]any{"parent_id": lair}, "If-Match", `"1"`)
			if moved.body["depth"] != float64(4) || moved.header.Get("ETag") != `"2"` {
				t.Errorf("moved inn: %s", moved.raw)
			}
			c.must(404, "GET", "/api/v1/locations/"+inn, player, nil)
			c.must(200, "POST", "/api/v1/locations/"+city+"/move", gm, map[string]any{"parent_id": nil})
			wantList(t, "breadcrumb after moves", []string{"Waterdeep", "Xanathar's Lair"}, c.must(200, "GET", "/api/v1/locations/"+inn, gm, nil).crumbs())

			patched := c.must(200, "PATCH", "/api/v1/locations/"+lair, gm, map[string]any{"visibility": "players", "metadata": map[string]any{"eyes": 10}}, "If-Match", `"1"`)
			if patched.body["version"] != float64(2) || !strings.Contains(string(patched.raw), `"metadata":{"eyes":10}`) {
				t.Errorf("patched lair: %s", patched.raw)
			}
			c.must(200, "GET", "/api/v1/locations/"+inn, player, nil) // the lair is public now
			if reset := c.must(200, "PATCH", "/api/v1/locations/"+lair, gm, map[string]any{"metadata": nil}); fmt.Sprint(reset.body["metadata"]) != "map[]" {
				t.Errorf("PATCH metadata: null = %s, want it reset to {}", reset.raw)
			}
			put := c.must(200, "PUT", "/api/v1/locations/"+lair, gm, map[string]any{"name": "The Lair", "visibility": "players"})
			if put.str("description") != "" || fmt.Sprint(put.body["metadata"]) != "map[]" {
				t.Errorf("PUT did not replace the fields: %s", put.raw)
			}

			c.must(409, "DELETE", "/api/v1/locations/"+city, gm, nil)
			c.must(204, "DELETE", "/api/v1/locations/"+city+"?cascade=true", gm, nil)
			for _, id := range []string{city, inn, lair, den} {
				c.must(404, "GET", "/api/v1/locations/"+id, gm, nil)
			}
			events := c.must(200, "GET", p.path("/events?entity_type=location&entity_id="+city), gm, nil)
			if items := events.items(); len(items) != 3 || items[0]["action"] != "delete" { // create, move, delete
				t.Errorf("audit events of the city: %s", events.raw)
			}
		})
	}
}

// TestLocationBadInput sends bad location requests: each answers with a
// problem naming the field or the conflict, and stores nothing.
func TestLocationBadInput(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			root := p.location("Root", "", "players")
			child := p.location("Child", root, "players")
			grandchild := p.location("Grandchild", child, "players")
			chain := []string{p.location("Chain", "", "players")}
			for len(chain) < 32 {
				chain = append(chain, p.location("Chain", chain[len(chain)-1], "players"))
			}
			loc := func(id string) string { return "/api/v1/locations/" + id }
			tests := []struct {
				name, method, path string
				body               any
				headers            []string
				want               int
				code, field        string
			}{
				{"move into own subtree", "POST", loc(root) + "/move", map[string]any{"parent_id": grandchild}, nil, 409, "location_cycle", ""},
				{"move below itself", "POST", loc(child) + "/move", map[string]any{"parent_id": child}, nil, 409, "location_cycle", ""},
				{"move without parent_id", "POST", loc(child) + "/move", map[string]any{}, nil, 422, "", "body.parent_id"},
				{"move to depth 33", "POST", loc(child) + "/move", map[string]any{"parent_id": chain[30]}, nil, 409, "location_too_deep", ""},
				{"create at depth 33", "POST", p.path("/locations"), map[string]any{"name": "x", "parent_id": chain[31]}, nil, 409, "location_too_deep", ""},
				{"delete with children", "DELETE", loc(child), nil, nil, 409, "location_has_children", ""},
				{"stale If-Match", "PATCH", loc(child), map[string]any{"name": "y"}, []string{"If-Match", `"7"`}, 409, "stale_version", ""},
				{"stale move", "POST", loc(child) + "/move", map[string]any{"parent_id": nil}, []string{"If-Match", `"7"`}, 409, "stale_version", ""},
				{"stale delete", "DELETE", loc(grandchild), nil, []string{"If-Match", `"7"`}, 409, "stale_version", ""},
				{"metadata an array", "POST", p.path("/locations"), map[string]any{"name": "x", "metadata": []int{1}}, nil, 422, "", "body.metadata"},
				{"metadata a string", "PATCH", loc(child), map[string]any{"metadata": "big"}, nil, 422, "", "body.metadata"},
				{"coordinates a number", "PUT", loc(child), map[string]any{"name": "x", "coordinates": 5}, nil, 422, "", "body.coordinates"},
				{"empty name", "POST", p.path("/locations"), map[string]any{"name": "  "}, nil, 422, "", "body.name"},
				{"bad visibility", "POST", p.path("/locations"), map[string]any{"name": "x", "visibility": "everyone"}, nil, 422, "", "body.visibility"},
				{"unknown parent", "POST", p.path("/locations"), map[string]any{"name": "x", "parent_id": p.campaign}, nil, 404, "parent_not_found", ""},
				{"parent not a uuid", "POST", p.path("/locations"), map[string]any{"name": "x", "parent_id": "up"}, nil, 422, "", "body.parent_id"},
				{"bad cursor", "GET", p.path("/locations?flat=true&cursor=abc"), nil, nil, 422, "", "query.cursor"},
				{"unknown parent_id filter", "GET", p.path("/locations?parent_id=" + p.campaign), nil, nil, 404, "parent_not_found", ""},
			}
			for _, tc := range tests {
				r := c.do(tc.method, tc.path, gm, tc.body, tc.headers...)
				if r.status != tc.want || (tc.code != "" && r.str("code") != tc.code) {
					t.Errorf("%s: %d %s, want %d %s", tc.name, r.status, r.raw, tc.want, tc.code)
				}
				if tc.field != "" && !containsLocation(r, tc.field) {
					t.Errorf("%s: problem does not name %s: %s", tc.name, tc.field, r.raw)
				}
			}
			if n := len(c.must(200, "GET", p.path("/locations?flat=true&limit=200"), gm, nil).items()); n != 35 {
				t.Errorf("locations after bad input = %d, want 35", n)
			}
			for _, id := range []string{root, child} {
				if got := c.must(200, "GET", loc(id), gm, nil); got.body["version"] != float64(1) || got.body["depth"] == float64(0) {
					t.Errorf("location after bad input: %s", got.raw)
				}
			}
		})
	}
}

// TestLocationPermissions is the spec of who may do what with locations:
// every endpoint on a public location, a GM-only one and a public one below
// a GM-only one, as each kind of caller.
func TestLocationPermissions(t *testing.T) {
	t.Parallel()
	const (
		readAll   = "gm:200 owner:200 player:200 observer:200 outsider:404"
		gmOnly200 = "gm:200 owner:404 player:404 observer:404 outsider:404"
		gmOnly204 = "gm:204 owner:404 player:404 observer:404 outsider:404"
		gmWrites  = "gm:200 owner:403 player:403 observer:403 outsider:404"
		gmCreates = "gm:201 owner:403 player:403 observer:403 outsider:404"
		gmDeletes = "gm:204 owner:403 player:403 observer:403 outsider:404"
	)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			public := p.location("Public", "", "players")
			hidden := p.location("Hidden", "", "gm")
			below := p.location("Below hidden", hidden, "players")
			type row struct {
				method, path string
				body         any
				want         string
			}
			rows := []row{
				{"GET", p.path("/locations"), nil, readAll},
				{"GET", p.path("/locations?flat=true"), nil, readAll},
				{"GET", p.path("/locations?parent_id=" + public), nil, readAll},
				{"GET", p.path("/locations?parent_id=" + hidden), nil, gmOnly200},
				{"GET", p.path("/locations?parent_id=" + below + "&flat=true"), nil, gmOnly200},
				{"POST", p.path("/locations"), map[string]any{"name": "New"}, gmCreates},
			}
			// Each is moved to where it is, so its visibility stays; the
			// deletes come last, below before hidden.
			locs := []struct {
				id, vis, read, write, del string
				parent                    any
			}{
				{public, "players", readAll, gmWrites, gmDeletes, nil},
				{below, "players", gmOnly200, gmOnly200, gmOnly204, hidden},
				{hidden, "gm", gmOnly200, gmOnly200, gmOnly204, nil},
			}
			for _, l := range locs {
				base := "/api/v1/locations/" + l.id
				rows = append(rows,
					row{"GET", base, nil, l.read},
					row{"PATCH", base, map[string]any{"description": "changed"}, l.write},
					row{"PUT", base, map[string]any{"name": "Renamed", "visibility": l.vis}, l.write},
					row{"POST", base + "/move", map[string]any{"parent_id": l.parent}, l.write},
				)
			}
			for _, l := range locs {
				rows = append(rows, row{"DELETE", "/api/v1/locations/" + l.id, nil, l.del})
			}
			for _, r := range rows {
				want := statuses(r.want)
				for _, role := range []string{"outsider", "observer", "player", "owner", "gm"} {
					if got := c.do(r.method, r.path, p.token[role], r.body); got.status != want[role] {
						t.Errorf("%s %s as %s = %d %s, want %d", r.method, r.path, role, got.status, got.raw, want[role])
					}
				}
			}
		})
	}
}
