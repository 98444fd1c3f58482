package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// party is a campaign with one member of each kind, and an outsider.
type party struct {
	c        *client
	campaign string
	token    map[string]string // by role name: gm, owner, player, observer, outsider
	user     map[string]string
}

// roles are the callers of the permission table: the GM, a player who
// owns the PC under test, another player, an observer and a non-member.
var roles = []string{"gm", "owner", "player", "observer", "outsider"}

func newParty(t testing.TB, c *client) *party {
	t.Helper()
	p := &party{c: c, token: map[string]string{}, user: map[string]string{}}
	for _, role := range roles {
		p.user[role], p.token[role], _ = c.signUp(role + "@example.com")
	}
	p.campaign = c.must(201, "POST", "/api/v1/campaigns", p.token["gm"], map[string]any{"name": "Barovia"}).str("id")
	for role, as := range map[string]string{"owner": "player", "player": "player", "observer": "observer"} {
		code := c.must(201, "POST", p.path("/invites"), p.token["gm"], map[string]any{"role": as}).str("code")
		c.must(200, "POST", "/api/v1/invites/"+code+"/accept", p.token[role], nil)
	}
	return p
}

// path is a path below the party's campaign.
func (p *party) path(suffix string) string { return "/api/v1/campaigns/" + p.campaign + suffix }

// character creates a character as the GM and returns its id.
func (p *party) character(body map[string]any) string {
	p.c.t.Helper()
	return p.c.must(201, "POST", p.path("/characters"), p.token["gm"], body).str("id")
}

// items returns the items of a list answer.
func (r response) items() []map[string]any {
	raw, _ := r.body["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i], _ = it.(map[string]any)
	}
	return out
}

// ids returns the "id" of each item of a list answer.
func (r response) ids() []string {
	var out []string
	for _, it := range r.items() {
		out = append(out, fmt.Sprint(it["id"]))
	}
	return out
}

// statuses parses "gm:200 owner:403 …" into the status each role expects.
func statuses(spec string) map[string]int {
	out := map[string]int{}
	for _, f := range strings.Fields(spec) {
		var role string
		var status int
		if _, err := fmt.Sscanf(strings.Replace(f, ":", " ", 1), "%s %d", &role, &status); err != nil {
			panic("bad status spec " + f)
		}
		out[role] = status
	}
	return out
}

func TestCharacters(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm, owner := p.token["gm"], p.token["owner"]

			created := c.must(201, "POST", p.path("/characters"), gm, map[string]any{
				"name": "Ireena Kolyana", "character_type": "npc", "visibility": "players",
				"stats": map[string]any{"hp": 14}, "notes": map[string]any{"bio": "Burgomaster's daughter"},
				"gm_notes": map[string]any{"secret": "Tatyana reborn"}, "aliases": []string{"Tatyana", " Tatyana "},
				"tags": []string{"Noble", "ally"}, "voice_notes": "Soft, steady",
			})
			ireena := created.str("id")
			if loc := created.header.Get("Location"); loc != "/api/v1/characters/"+ireena || created.header.Get("ETag") != `"1"` {
				t.Errorf("Location %q, ETag %q", loc, created.header.Get("ETag"))
			}
			if tags := fmt.Sprint(created.body["tags"]); tags != "[noble ally]" || fmt.Sprint(created.body["aliases"]) != "[Tatyana]" {
				t.Errorf("tags %s, aliases %v: want normalised", tags, created.body["aliases"])
			}
			pc := c.must(201, "POST", p.path("/characters"), owner, map[string]any{"name": "Ezmerelda", "character_type": "pc", "tags": []string{"party"}})
			if pc.str("owner_id") != p.user["owner"] || pc.str("visibility") != "players" {
				t.Errorf("player's PC: owner %q visibility %q; want the player, players", pc.str("owner_id"), pc.str("visibility"))
			}
			strahd := p.character(map[string]any{"name": "Strahd von Zarovich", "character_type": "npc", "aliases": []string{"The Devil"}})
			for i := range 3 {
				p.character(map[string]any{"name": fmt.Sprint("Villager ", i), "character_type": "npc", "visibility": "players", "tags": []string{"village"}})
			}

			// What each sees: GM-only Strahd and gm_notes are for the GM.
			asPlayer := c.must(200, "GET", "/api/v1/characters/"+ireena, p.token["player"], nil)
			if _, ok := asPlayer.body["gm_notes"]; ok {
				t.Errorf("a player sees gm_notes: %s", asPlayer.raw)
			}
			if asGM := c.must(200, "GET", "/api/v1/characters/"+ireena, gm, nil); fmt.Sprint(asGM.body["gm_notes"]) != "map[secret:Tatyana reborn]" {
				t.Errorf("GM's gm_notes = %v", asGM.body["gm_notes"])
			}
			c.must(404, "GET", "/api/v1/characters/"+strahd, p.token["player"], nil)
			lists := []struct {
				query, token string
				want         int
			}{
				{"", gm, 6}, {"", p.token["observer"], 5}, {"?character_type=pc", gm, 1}, {"?tag=NOBLE", gm, 1}, {"?tag=village", gm, 3},
				{"?owner_id=" + p.user["owner"], gm, 1}, {"?q=devil", gm, 1}, {"?q=devil", p.token["player"], 0}, {"?q=TATY", p.token["player"], 1},
				{"?q=villager&tag=village&character_type=npc", gm, 3},
			}
			for _, l := range lists {
				if got := c.must(200, "GET", p.path("/characters"+l.query), l.token, nil).items(); len(got) != l.want {
					t.Errorf("list %q = %d characters, want %d", l.query, len(got), l.want)
				}
			}
			page1 := c.must(200, "GET", p.path("/characters?limit=4"), gm, nil)
			page2 := c.must(200, "GET", p.path("/characters?limit=4&cursor="+page1.str("next_cursor")), gm, nil)
			if all := append(page1.ids(), page2.ids()...); len(all) != 6 || all[0] != ireena || page2.str("next_cursor") != "" {
				t.Errorf("pages = %v / %v, want all 6 in creation order", page1.ids(), page2.ids())
			}

			// Versions: PATCH, PUT and voice notes all bump the version.
			path := "/api/v1/characters/" + ireena
			c.must(200, "PATCH", path, gm, map[string]any{"stats": map[string]any{"hp": 9}, "portrait_file_id": ireena}, "If-Match", `"1"`)
			stale := c.must(409, "PATCH", path, gm, map[string]any{"name": "Lost"}, "If-Match", `"1"`)
			if stale.str("code") != "stale_version" {
				t.Errorf("stale PATCH code = %q", stale.str("code"))
			}
			cleared := c.must(200, "PATCH", path, gm, map[string]any{"portrait_file_id": nil, "notes": nil})
			if cleared.body["portrait_file_id"] != nil || fmt.Sprint(cleared.body["notes"]) != "map[]" || fmt.Sprint(cleared.body["stats"]) != "map[hp:9]" {
				t.Errorf("PATCH with nulls = %s", cleared.raw)
			}
			put := c.must(200, "PUT", path, gm, map[string]any{"name": "Ireena", "character_type": "npc"}, "If-Match", `"3"`)
			if put.str("visibility") != "gm" || len(put.body["aliases"].([]any)) != 0 || fmt.Sprint(put.body["gm_notes"]) != "map[secret:Tatyana reborn]" {
				t.Errorf("PUT = %s; want defaults, gm_notes kept", put.raw)
			}
			voice := c.must(200, "PUT", path+"/voice-notes", gm, map[string]any{"voice_notes": "Whispers"}, "If-Match", `"4"`)
			if voice.header.Get("ETag") != `"5"` || voice.str("voice_notes") != "Whispers" {
				t.Errorf("voice notes PUT = %s, ETag %s", voice.raw, voice.header.Get("ETag"))
			}
			if got := c.must(200, "GET", path+"/voice-notes", gm, nil); got.str("voice_notes") != "Whispers" {
				t.Errorf("voice notes GET = %s", got.raw)
			}
			c.must(409, "PUT", path+"/voice-notes", gm, map[string]any{"voice_notes": "x"}, "If-Match", `"4"`)

			// The owner edits their PC but cannot give it away or hide it.
			pcPath := "/api/v1/characters/" + pc.str("id")
			c.must(200, "PATCH", pcPath, owner, map[string]any{"stats": map[string]any{"level": 3}})
			c.must(403, "PATCH", pcPath, owner, map[string]any{"owner_id": p.user["player"]})
			c.must(403, "PATCH", pcPath, owner, map[string]any{"visibility": "gm"})
			c.must(403, "PATCH", pcPath, owner, map[string]any{"gm_notes": map[string]any{}})
			c.must(200, "PUT", pcPath, owner, map[string]any{"name": "Ezmerelda d'Avenir", "character_type": "pc", "owner_id": p.user["owner"]})
			c.must(200, "PATCH", pcPath, gm, map[string]any{"owner_id": nil})
			c.must(403, "PATCH", pcPath, owner, map[string]any{"name": "Mine again"})

			c.must(204, "DELETE", path, gm, nil)
			c.must(404, "GET", path, gm, nil)
			events := c.must(200, "GET", p.path("/events?entity_type=character&entity_id="+ireena), gm, nil)
			if n := len(events.items()); n != 6 { // create, 2 patches, put, voice notes, delete
				t.Errorf("audit events for the character = %d, want 6", n)
			}

			// A PC whose player has left stays editable, but cannot be given
			// to a non-member.
			left := c.must(201, "POST", p.path("/characters"), p.token["player"], map[string]any{"name": "Van Richten", "character_type": "pc"}).str("id")
			c.must(204, "DELETE", p.path("/members/"+p.user["player"]), p.token["player"], nil)
			c.must(200, "PATCH", "/api/v1/characters/"+left, gm, map[string]any{"name": "Rudolph van Richten"})
			c.must(422, "PATCH", "/api/v1/characters/"+left, gm, map[string]any{"owner_id": p.user["outsider"]})
			c.must(404, "GET", "/api/v1/characters/"+left, p.token["player"], nil)
		})
	}
}

func TestCharacterBadInput(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			id := p.character(map[string]any{"name": "Rahadin", "character_type": "npc", "stats": map[string]any{"hp": 1}})
			path := "/api/v1/characters/" + id
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
				{"unknown character_type", "POST", p.path("/characters"), map[string]any{"name": "X", "character_type": "monster"}, 422, "body.character_type", nil},
				{"missing character_type", "POST", p.path("/characters"), map[string]any{"name": "X"}, 422, "body.character_type", nil},
				{"empty name", "POST", p.path("/characters"), map[string]any{"name": "  ", "character_type": "npc"}, 422, "body.name", nil},
				{"name too long", "POST", p.path("/characters"), map[string]any{"name": long, "character_type": "npc"}, 422, "body.name", nil},
				{"stats not an object", "POST", p.path("/characters"), map[string]any{"name": "X", "character_type": "npc", "stats": []int{1, 2}}, 422, "body.stats", nil},
				{"notes a string", "POST", p.path("/characters"), map[string]any{"name": "X", "character_type": "npc", "notes": "text"}, 422, "body.notes", nil},
				{"stats too big", "POST", p.path("/characters"), map[string]any{"name": "X", "character_type": "npc", "stats": map[string]any{"x": strings.Repeat("y", 300<<10)}}, 422, "body.stats", nil},
				{"tag too long", "POST", p.path("/characters"), map[string]any{"name": "X", "character_type": "npc", "tags": []string{strings.Repeat("t", 65)}}, 422, "body.tags", nil},
				{"npc with owner", "POST", p.path("/characters"), map[string]any{"name": "X", "character_type": "npc", "owner_id": p.user["owner"]}, 422, "body.owner_id", nil},
				{"owner not a player", "POST", p.path("/characters"), map[string]any{"name": "X", "character_type": "pc", "owner_id": p.user["observer"]}, 422, "body.owner_id", nil},
				{"owner an outsider", "POST", p.path("/characters"), map[string]any{"name": "X", "character_type": "pc", "owner_id": p.user["outsider"]}, 422, "body.owner_id", nil},
				{"bad visibility", "POST", p.path("/characters"), map[string]any{"name": "X", "character_type": "npc", "visibility": "everyone"}, 422, "body.visibility", nil},
				{"bad list filter", "GET", p.path("/characters?character_type=dragon"), nil, 422, "query.character_type", nil},
				{"patch empty name", "PATCH", path, map[string]any{"name": ""}, 422, "body.name", nil},
				{"patch stats not an object", "PATCH", path, map[string]any{"stats": 7}, 422, "body.stats", nil},
				{"patch name too long", "PATCH", path, map[string]any{"name": long}, 422, "body.name", nil},
				{"stale If-Match", "PATCH", path, map[string]any{"name": "Y"}, 409, "", []string{"If-Match", `"7"`}},
				{"bad If-Match", "PATCH", path, map[string]any{"name": "Y"}, 422, "header.If-Match", []string{"If-Match", "soon"}},
				{"put stale If-Match", "PUT", path, map[string]any{"name": "Y", "character_type": "npc"}, 409, "", []string{"If-Match", `"2"`}},
				{"character id not a uuid", "GET", "/api/v1/characters/42", nil, 422, "path.character_id", nil},
				{"unknown character", "GET", "/api/v1/characters/" + p.campaign, nil, 404, "", nil},
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
			if n := len(c.must(200, "GET", p.path("/characters"), gm, nil).items()); n != 1 {
				t.Errorf("characters after bad input = %d, want 1", n)
			}
			got := c.must(200, "GET", path, gm, nil)
			if got.str("name") != "Rahadin" || got.body["version"] != float64(1) || fmt.Sprint(got.body["stats"]) != "map[hp:1]" {
				t.Errorf("character after bad input = %s", got.raw)
			}
		})
	}
}

// TestPermissions is the spec of who may do what with characters,
// achievements, relationships and the graph: every endpoint, on a PC the
// "owner" plays, a players-visible NPC and a GM-only NPC (and on a public,
// a GM-only and a hidden-by-its-end relationship), as each kind of caller.
func TestPermissions(t *testing.T) {
	t.Parallel()
	const (
		readAll   = "gm:200 owner:200 player:200 observer:200 outsider:404"
		gmOnly200 = "gm:200 owner:404 player:404 observer:404 outsider:404"
		gmOnly201 = "gm:201 owner:404 player:404 observer:404 outsider:404"
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
			pc := c.must(201, "POST", p.path("/characters"), p.token["owner"], map[string]any{"name": "PC", "character_type": "pc"}).str("id")
			npc := p.character(map[string]any{"name": "NPC", "character_type": "npc", "visibility": "players"})
			secret := p.character(map[string]any{"name": "Secret", "character_type": "npc"})
			extra := p.character(map[string]any{"name": "Extra", "character_type": "npc", "visibility": "players"})
			relate := func(from, to, kind, vis string) string {
				return c.must(201, "POST", "/api/v1/characters/"+from+"/relationships", p.token["gm"],
					map[string]any{"target_id": to, "kind": kind, "visibility": vis}).str("id")
			}
			rels := []struct{ id, kind, vis, read, write, del string }{
				{relate(npc, pc, "ally", "players"), "ally", "players", readAll, gmWrites, gmDeletes},
				{relate(npc, pc, "rival", "gm"), "rival", "gm", gmOnly200, gmOnly200, gmOnly204},
				{relate(npc, secret, "enemy", "players"), "enemy", "players", gmOnly200, gmOnly200, gmOnly204},
			}
			chars := []struct{ id, read, write, create, del string }{
				{pc, readAll, "gm:200 owner:200 player:403 observer:403 outsider:404", gmCreates, gmDeletes},
				{npc, readAll, gmWrites, gmCreates, gmDeletes},
				{secret, gmOnly200, gmOnly200, gmOnly201, gmOnly204},
			}
			type row struct {
				method, path string
				body         any
				want         string
			}
			rows := []row{
				{"GET", p.path("/characters"), nil, readAll},
				{"POST", p.path("/characters"), map[string]any{"name": "N", "character_type": "npc"}, gmCreates},
				{"POST", p.path("/characters"), map[string]any{"name": "Own PC", "character_type": "pc"}, "gm:201 owner:201 player:201 observer:403 outsider:404"},
				{"POST", p.path("/characters"), map[string]any{"name": "Given PC", "character_type": "pc", "owner_id": p.user["owner"]}, "gm:201 owner:201 player:403 observer:403 outsider:404"},
				{"POST", p.path("/characters"), map[string]any{"name": "Hidden PC", "character_type": "pc", "visibility": "gm"}, gmCreates},
				{"GET", p.path("/graph?center=" + npc), nil, readAll},
				{"GET", p.path("/graph?center=" + secret), nil, gmOnly200},
				{"GET", p.path("/graph/path?from=" + pc + "&to=" + npc), nil, readAll},
				{"GET", p.path("/graph/path?from=" + npc + "&to=" + secret), nil, gmOnly200},
			}
			for _, ch := range chars {
				base := "/api/v1/characters/" + ch.id
				rows = append(rows,
					row{"GET", base, nil, ch.read},
					row{"PATCH", base, map[string]any{"stats": map[string]any{"hp": 3}}, ch.write},
					row{"GET", base + "/voice-notes", nil, ch.read},
					row{"PUT", base + "/voice-notes", map[string]any{"voice_notes": "Gruff"}, ch.write},
					row{"GET", base + "/achievements", nil, ch.read},
					row{"POST", base + "/achievements", map[string]any{"title": "Survived"}, ch.create},
					row{"GET", base + "/relationships", nil, ch.read},
					row{"POST", base + "/relationships", map[string]any{"target_id": extra, "kind": "knows"}, ch.create},
				)
			}
			for _, r := range rels {
				base := "/api/v1/relationships/" + r.id
				rows = append(rows,
					row{"GET", base, nil, r.read},
					row{"PATCH", base, map[string]any{"attitude": 5}, r.write},
					row{"PUT", base, map[string]any{"kind": r.kind, "attitude": 6, "visibility": r.vis}, r.write},
					row{"DELETE", base, nil, r.del},
				)
			}
			for _, ch := range chars {
				rows = append(rows, row{"DELETE", "/api/v1/characters/" + ch.id, nil, ch.del})
			}
			// The GM goes last, so that a delete they may do is tried by
			// everyone else first.
			order := []string{"outsider", "observer", "player", "owner", "gm"}
			for _, r := range rows {
				want := statuses(r.want)
				for _, role := range order {
					if got := c.do(r.method, r.path, p.token[role], r.body); got.status != want[role] {
						t.Errorf("%s %s as %s = %d %s, want %d", r.method, r.path, role, got.status, got.raw, want[role])
					}
				}
			}
		})
	}
}
