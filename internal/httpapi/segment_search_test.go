package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestSegmentSearch searches transcripts as each role: every member reads
// every transcript, but a name resolved by a GM-only keyword hit finds its
// segment for GMs only, and a speaker's secret character stays hidden.
func TestSegmentSearch(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, withReference(b.open), serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			p.character(map[string]any{"name": "Xylandra", "character_type": "npc", "visibility": "players"})
			secret := p.character(map[string]any{"name": "Vethrax the Unbound", "character_type": "npc", "aliases": []string{"Vethrax"}})
			sid := c.must(201, "POST", p.path("/sessions"), gm, map[string]any{"title": "The Sunken Keep"}).str("id")
			c.must(200, "PUT", "/api/v1/sessions/"+sid+"/speakers", gm, map[string]any{"speakers": []any{
				map[string]any{"label": "A", "user_id": p.user["player"]},
				map[string]any{"label": "B", "character_id": secret},
			}})
			ingested := c.must(201, "POST", "/api/v1/sessions/"+sid+"/transcript/segments", gm, map[string]any{"segments": []any{
				map[string]any{"speaker_label": "A", "start_ms": 61000, "end_ms": 64000, "text": "We follow Xilandra into the river caves."},
				map[string]any{"speaker_label": "B", "start_ms": 65000, "end_ms": 67000, "text": "Vethrax laughs at the river."},
				map[string]any{"speaker_label": "A", "start_ms": 70000, "end_ms": 71000, "text": "Nothing to see."},
			}}).items()
			ids := make([]string, len(ingested))
			for i, it := range ingested {
				ids[i] = it["id"].(string)
			}
			find := func(token, query string) response {
				t.Helper()
				return c.must(200, "GET", p.path("/search?q=")+query, token, nil)
			}
			segmentIDs := func(r response) []string {
				out := []string{}
				for _, it := range r.items() {
					if it["type"] == "segment" {
						out = append(out, it["id"].(string))
					}
				}
				return out
			}
			checks := []struct {
				name, role, query string
				want              []string
			}{
				{"gm by resolved name", "gm", "Xylandra&types=segment", ids[:1]},
				{"player by resolved name", "player", "Xylandra&types=segment", ids[:1]},
				{"observer by resolved name", "observer", "Xylandra&types=segment", ids[:1]},
				{"player by spoken text", "player", "vethrax+laughs&types=segment", ids[1:2]},
				{"gm by GM-only name", "gm", "unbound+river&types=segment", ids[1:2]},
				{"player never by GM-only name", "player", "unbound&types=segment", []string{}},
				{"observer never by GM-only name", "observer", "unbound&types=segment", []string{}},
				{"words in two segments", "observer", "river&types=segment", ids[:2]},
				{"other types only", "gm", "river&types=character", []string{}},
				{"tags keep entities only", "gm", "river&tags=dwarf", []string{}},
				{"no types means all", "player", "river", ids[:2]},
			}
			for _, ck := range checks {
				got := segmentIDs(find(p.token[ck.role], ck.query))
				if strings.Join(got, ",") != strings.Join(ck.want, ",") {
					t.Errorf("%s: %s = %v, want %v", ck.name, ck.query, got, ck.want)
				}
			}

			r := find(p.token["player"], "Xylandra&types=segment")
			if len(r.items()) != 1 {
				t.Fatalf("player's Xylandra = %s", r.raw)
			}
			it := r.items()[0]
			seg := it["segment"].(map[string]any)
			if it["name"] != "The Sunken Keep" || it["match"] != "fulltext" || seg["session_id"] != sid || seg["session_title"] != "The Sunken Keep" ||
				seg["start_ms"] != float64(61000) || seg["end_ms"] != float64(64000) || seg["seq"] != float64(1) || seg["speaker_label"] != "A" ||
				seg["speaker_name"] != "User player@example.com" || seg["at"] == "" {
				t.Errorf("segment result = %v", it)
			}
			if h := it["highlight"].(string); !strings.Contains(h, "<mark>Xilandra</mark>") {
				t.Errorf("highlight = %q, want the heard name marked", h)
			}
			for role, want := range map[string]string{"gm": "Vethrax the Unbound", "player": "B", "observer": "B"} {
				r := find(p.token[role], url.QueryEscape("vethrax laughs")+"&types=segment")
				if len(r.items()) != 1 {
					t.Errorf("%s: vethrax laughs = %s", role, r.raw)
					continue
				}
				seg := r.items()[0]["segment"].(map[string]any)
				if seg["speaker_name"] != want {
					t.Errorf("%s sees speaker %v, want %q", role, seg["speaker_name"], want)
				}
				if sp, _ := seg["speaker"].(map[string]any); role != "gm" && sp["character_id"] != nil {
					t.Errorf("%s sees the secret character of the speaker: %v", role, sp)
				}
			}
			facets := find(p.token["player"], "river&types=character").body["facets"]
			if want := map[string]any{"segment": float64(2)}; !jsonEqual(facets, want) {
				t.Errorf("facets = %v, want %v", facets, want)
			}
			c.must(404, "GET", p.path("/search?q=river&types=segment"), p.token["outsider"], nil)
			if r := c.do("GET", p.path("/search?q=river&types=segments"), gm, nil); r.status != 422 || !containsLocation(r, "query.types") {
				t.Errorf("unknown type: %d %s", r.status, r.raw)
			}
		})
	}
}
