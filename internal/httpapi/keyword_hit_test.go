package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/reference/referencetest"
	"github.com/gmc-project/gmc/internal/store"
)

// withReference opens stores that hold the test SRD records (written for
// gmc's tests, in package referencetest).
func withReference(open func(t testing.TB) store.Store) func(t testing.TB) store.Store {
	return func(t testing.TB) store.Store {
		t.Helper()
		st := open(t)
		entries, err := reference.Load(referencetest.Dir())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.UpsertReferenceEntries(context.Background(), entries, time.Now()); err != nil {
			t.Fatal(err)
		}
		return st
	}
}

// TestKeywordHits ingests segments and reads back what was detected, as
// each role may see it.
func TestKeywordHits(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, withReference(b.open), serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			p.character(map[string]any{"name": "Vethrax the Unbound", "character_type": "npc", "aliases": []string{"Vethrax"}})
			c.must(201, "POST", p.path("/keywords"), gm, map[string]any{"term": "Iron Lanterns", "category": "faction", "visibility": "players"})
			sid := c.must(201, "POST", p.path("/sessions"), gm, map[string]any{"title": "1"}).str("id")
			hitsPath := "/api/v1/sessions/" + sid + "/keywords"
			c.must(201, "POST", "/api/v1/sessions/"+sid+"/transcript/segments", gm, map[string]any{"segments": []any{
				map[string]any{"start_ms": 0, "end_ms": 1500, "text": "Vethrax casts fireball at the Iron Lanterns"},
				map[string]any{"start_ms": 2000, "end_ms": 4000, "text": "make a DC 15 dexterity saving throw, the fireball burns"},
			}})

			names := func(r response) []string {
				var out []string
				for _, it := range r.items() {
					name := it["name"].(string)
					if it["merged"] == true {
						name += "(merged)"
					}
					out = append(out, name)
				}
				return out
			}
			wantList := func(what string, got []string, want ...string) {
				t.Helper()
				if len(got) != len(want) {
					t.Errorf("%s = %q, want %q", what, got, want)
					return
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("%s = %q, want %q", what, got, want)
						return
					}
				}
			}
			asGM := c.must(200, "GET", hitsPath, gm, nil)
			wantList("GM's hits", names(asGM), "Vethrax the Unbound", "Fireball", "Iron Lanterns", "Fireball(merged)", "saving_throw")
			first := asGM.items()[1]
			if first["term_key"] != "srd:spell:fireball" || first["ref"] != "spell/fireball" || first["surface"] != "fireball" ||
				first["reason"] != "exact" || first["seq"] != float64(1) || first["gm_only"] != false {
				t.Errorf("fireball hit = %v", first)
			}
			if rule := asGM.items()[4]; rule["kind"] != "rule" || rule["values"].(map[string]any)["dc"] != float64(15) {
				t.Errorf("rule hit = %v", rule)
			}
			for _, role := range []string{"player", "observer"} {
				wantList(role+"'s hits", names(c.must(200, "GET", hitsPath, p.token[role], nil)), "Fireball", "Iron Lanterns", "Fireball(merged)", "saving_throw")
			}
			wantList("rule hits", names(c.must(200, "GET", hitsPath+"?kind=rule", gm, nil)), "saving_throw")
			page := c.must(200, "GET", hitsPath+"?limit=3", gm, nil)
			rest := c.must(200, "GET", hitsPath+"?limit=3&cursor="+page.str("next_cursor"), gm, nil)
			wantList("pages", append(names(page), names(rest)...), names(asGM)...)
			c.must(404, "GET", hitsPath, p.token["outsider"], nil)
		})
	}
}
