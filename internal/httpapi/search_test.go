package httpapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/store"
)

// items returns the results of a search answer as "name/match".
func items(t *testing.T, r response) []string {
	t.Helper()
	list, ok := r.body["items"].([]any)
	if !ok {
		t.Fatalf("no items in %s", r.raw)
	}
	out := []string{}
	for _, it := range list {
		m := it.(map[string]any)
		out = append(out, m["name"].(string)+"/"+m["match"].(string))
	}
	return out
}

func TestSearch(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, gm, _ := c.signUp("gm@example.com")
			_, player, _ := c.signUp("player@example.com")
			_, outsider, _ := c.signUp("outsider@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "C"}).str("id")
			code := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/invites", gm, map[string]any{}).str("code")
			c.must(200, "POST", "/api/v1/invites/"+code+"/accept", player, nil)
			chars := "/api/v1/campaigns/" + cid + "/characters"
			c.must(201, "POST", chars, gm, map[string]any{"name": "Gorrick Stonebeard", "character_type": "npc", "visibility": "players",
				"tags": []string{"Dwarf"}, "gm_notes": map[string]any{"secret": "Owes the thieves' guild"}})
			c.must(201, "POST", chars, gm, map[string]any{"name": "Xylandra Voss", "character_type": "npc", "visibility": "gm"})
			c.must(201, "POST", "/api/v1/campaigns/"+cid+"/sessions", gm, map[string]any{"title": "Stonebridge", "notes": "Gorrick haggled."})

			find := "/api/v1/campaigns/" + cid + "/search?q="
			gotGM := c.must(200, "GET", find+url.QueryEscape("gorik stone beard"), gm, nil)
			if got := items(t, gotGM); len(got) == 0 || got[0] != "Gorrick Stonebeard/fuzzy" {
				t.Errorf("gorik stone beard = %v", got)
			}
			first := gotGM.body["items"].([]any)[0].(map[string]any)
			if first["type"] != "character" || first["id"] == "" || !strings.Contains(first["highlight"].(string), "<mark>") {
				t.Errorf("result = %v", first)
			}
			checks := []struct {
				name, token, query string
				want               []string
			}{
				{"gm finds GM-only", gm, "zylandra", []string{"Xylandra Voss/fuzzy"}},
				{"player never sees GM-only", player, "zylandra", []string{}},
				{"player never matches GM notes", player, "thieves guild", []string{}},
				{"gm matches GM notes", gm, "thieves guild", []string{"Gorrick Stonebeard/fulltext"}},
				{"types filter", player, "stone&types=session", []string{"Stonebridge/prefix"}},
				{"tags filter", player, "stone&tags=dwarf", []string{"Gorrick Stonebeard/prefix"}},
			}
			for _, ck := range checks {
				r := c.must(200, "GET", find+strings.ReplaceAll(ck.query, " ", "+"), ck.token, nil)
				if got := items(t, r); strings.Join(got, "|") != strings.Join(ck.want, "|") {
					t.Errorf("%s: %s = %v, want %v", ck.name, ck.query, got, ck.want)
				}
			}
			facets := c.must(200, "GET", find+"stone&types=session", player, nil).body["facets"]
			if want := map[string]any{"character": float64(1), "session": float64(1)}; !jsonEqual(facets, want) {
				t.Errorf("facets = %v, want %v", facets, want)
			}
			for _, bad := range []struct {
				name, token, path string
				want              int
			}{
				{"outsider", outsider, find + "gorrick", 404},
				{"outsider, only punctuation", outsider, find + "%21%21", 404},
				{"outsider, bad type", outsider, find + "gorrick&types=dragon", 404},
				{"no token", "", find + "gorrick", 401},
				{"no query", gm, find, 422},
				{"unknown type", gm, find + "gorrick&types=dragon", 422},
				{"limit too high", gm, find + "gorrick&limit=1000", 422},
			} {
				if r := c.do("GET", bad.path, bad.token, nil); r.status != bad.want {
					t.Errorf("%s: GET %s = %d %s, want %d", bad.name, bad.path, r.status, r.raw, bad.want)
				}
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestReferenceSearch(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			// Reference entries come from an operator's import, not the API:
			// store them before the server starts.
			withEntries := func(t testing.TB) store.Store {
				st := b.open(t)
				if _, err := st.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				var entries []reference.Entry
				for _, e := range [][3]string{{"spell", "fireball", "Fireball"}, {"spell", "fire-bolt", "Fire Bolt"},
					{"magic_item", "wand-of-fireballs", "Wand of Fireballs"}, {"equipment", "flask", "Flask"}, {"condition", "poisoned", "Poisoned"}} {
					entries = append(entries, reference.Entry{Kind: e[0], Slug: e[1], Name: e[2], Card: reference.Card{Summary: e[2]}, Data: json.RawMessage(`{}`)})
				}
				if _, _, err := st.UpsertReferenceEntries(context.Background(), entries, time.Now()); err != nil {
					t.Fatal(err)
				}
				return st
			}
			c := newServer(t, withEntries, serverOpts{})
			_, user, _ := c.signUp("user@example.com")
			r := c.must(200, "GET", "/api/v1/reference/search?q=fire+ball", user, nil)
			if got := items(t, r); len(got) != 3 || got[0] != "Fireball/exact" {
				t.Errorf("fire ball = %v", got)
			}
			if r.str("attribution") != reference.Attribution {
				t.Errorf("attribution = %q", r.str("attribution"))
			}
			r = c.must(200, "GET", "/api/v1/reference/search?q=fireball&kind=item", user, nil)
			if got := items(t, r); strings.Join(got, "|") != "Wand of Fireballs/prefix" {
				t.Errorf("fireball items = %v", got)
			}
			r = c.must(200, "GET", "/api/v1/reference/search?q=poisned&kind=condition", user, nil)
			if got := items(t, r); strings.Join(got, "|") != "Poisoned/fuzzy" {
				t.Errorf("poisned = %v", got)
			}
			c.must(422, "GET", "/api/v1/reference/search?q=x&kind=dragon", user, nil)
			c.must(401, "GET", "/api/v1/reference/search?q=fireball", "", nil)
		})
	}
}
