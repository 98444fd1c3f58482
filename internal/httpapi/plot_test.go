package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// plot creates a plot thread as the GM and returns its id.
func (p *party) plot(body map[string]any) string {
	p.c.t.Helper()
	return p.c.must(201, "POST", p.path("/plots"), p.token["gm"], body).str("id")
}

// playSession records one more played session (started and ended).
func (p *party) playSession() string {
	p.c.t.Helper()
	id := p.c.must(201, "POST", p.path("/sessions"), p.token["gm"], map[string]any{"title": "Evening"}).str("id")
	p.c.must(200, "POST", "/api/v1/sessions/"+id+"/start", p.token["gm"], nil)
	p.c.must(200, "POST", "/api/v1/sessions/"+id+"/end", p.token["gm"], nil)
	return id
}

// refs returns the titles of a list of plot references under key.
func (r response) refs(key string) []string {
	raw, _ := r.body[key].([]any)
	var out []string
	for _, it := range raw {
		m, _ := it.(map[string]any)
		out = append(out, fmt.Sprint(m["title"]))
	}
	return out
}

// field returns the value at a path of keys and indexes in the body.
func (r response) field(path ...any) any {
	var v any = r.body
	for _, k := range path {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			s, _ := v.([]any)
			if k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

// TestPlots follows plot threads through dependencies, progress in
// sessions, foreshadowing and reminders.
func TestPlots(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm, player := p.token["gm"], p.token["player"]
			npc := p.character(map[string]any{"name": "Strahd", "character_type": "npc", "visibility": "players"})
			spy := p.character(map[string]any{"name": "Spy", "character_type": "npc"})
			town := p.location("Barovia", "", "players")
			crypt := p.location("Crypt", "", "gm")

			created := c.must(201, "POST", p.path("/plots"), gm, map[string]any{"title": "Stop the vampire", "status": "active", "visibility": "players",
				"milestones":    []map[string]any{{"title": "Find the sword"}, {"title": "Confront him"}},
				"character_ids": []string{spy, npc}, "location_ids": []string{town, crypt}})
			a := created.str("id")
			m1, m2 := fmt.Sprint(created.field("milestones", 0, "id")), fmt.Sprint(created.field("milestones", 1, "id"))
			if created.header.Get("Location") != "/api/v1/plots/"+a || created.header.Get("ETag") != `"1"` || created.field("milestones", 1, "order") != float64(2) {
				t.Errorf("created: %v %s", created.header, created.raw)
			}
			seen := c.must(200, "GET", "/api/v1/plots/"+a, player, nil)
			if fmt.Sprint(seen.body["character_ids"]) != "["+npc+"]" || fmt.Sprint(seen.body["location_ids"]) != "["+town+"]" {
				t.Errorf("player's view of the links: %s", seen.raw)
			}
			bb := p.plot(map[string]any{"title": "Find the key", "visibility": "players"})
			cc := p.plot(map[string]any{"title": "Bribe the guard"}) // a GM-only hook
			c.must(201, "POST", "/api/v1/plots/"+a+"/dependencies", gm, map[string]any{"depends_on": bb})
			c.must(201, "POST", "/api/v1/plots/"+bb+"/dependencies", gm, map[string]any{"depends_on": cc})
			cycle := c.must(409, "POST", "/api/v1/plots/"+cc+"/dependencies", gm, map[string]any{"depends_on": a})
			if !strings.Contains(cycle.str("detail"), `"Bribe the guard" (`+cc+`) → "Stop the vampire" (`+a+`) → "Find the key" (`+bb+`) → "Bribe the guard"`) {
				t.Errorf("cycle answer: %s", cycle.raw)
			}
			wantList(t, "blocked_by of A", []string{"Find the key"}, c.must(200, "GET", "/api/v1/plots/"+a+"/status", player, nil).refs("blocked_by"))
			wantList(t, "blocked_by of B (gm)", []string{"Bribe the guard"}, c.must(200, "GET", "/api/v1/plots/"+bb+"/status", gm, nil).refs("blocked_by"))
			wantList(t, "blocked_by of B (player)", nil, c.must(200, "GET", "/api/v1/plots/"+bb+"/status", player, nil).refs("blocked_by"))
			wantList(t, "upstream of A (gm)", []string{"Find the key", "Bribe the guard"}, c.must(200, "GET", "/api/v1/plots/"+a+"/dependencies", gm, nil).refs("upstream"))
			wantList(t, "upstream of A (player)", []string{"Find the key"}, c.must(200, "GET", "/api/v1/plots/"+a+"/dependencies", player, nil).refs("upstream"))
			wantList(t, "downstream of C", []string{"Find the key", "Stop the vampire"}, c.must(200, "GET", "/api/v1/plots/"+cc+"/dependencies", gm, nil).refs("downstream"))

			s1 := p.playSession()
			prog := c.must(200, "PUT", "/api/v1/plots/"+a+"/progress", gm, map[string]any{"progress": 50, "status": "active", "milestone_id": m1, "session_id": s1}, "If-Match", `"1"`)
			if prog.field("milestones", 0, "done") != true || prog.field("milestones", 0, "done_session_id") != s1 || prog.body["last_touched_session_number"] != float64(1) || prog.header.Get("ETag") != `"2"` {
				t.Errorf("after progress: %s", prog.raw)
			}
			f1 := c.must(201, "POST", "/api/v1/plots/"+a+"/foreshadowing", gm, map[string]any{"description": "A raven watches", "session_id": s1})
			f2 := c.must(201, "POST", "/api/v1/plots/"+a+"/foreshadowing", gm, map[string]any{"description": "The wine tastes of iron"})
			if f1.body["planted_session_number"] != float64(1) || f2.body["planted_session_number"] != float64(1) || f2.body["planted_session_id"] != nil {
				t.Errorf("planted: %s / %s", f1.raw, f2.raw)
			}
			if n := len(c.must(200, "GET", "/api/v1/plots/"+a, player, nil).body["foreshadowing"].([]any)); n != 0 {
				t.Errorf("player sees %d unrevealed hints", n)
			}
			rev := c.must(200, "PATCH", "/api/v1/foreshadowing/"+f2.str("id"), gm, map[string]any{"revealed": true, "session_id": s1}, "If-Match", `"1"`)
			if rev.body["revealed"] != true || rev.body["revealed_session_id"] != s1 || rev.str("revealed_at") == "" {
				t.Errorf("revealed: %s", rev.raw)
			}
			if n := len(c.must(200, "GET", "/api/v1/plots/"+a, player, nil).body["foreshadowing"].([]any)); n != 1 {
				t.Errorf("player sees %d revealed hints, want 1", n)
			}

			for range 3 {
				p.playSession()
			}
			rem := c.must(200, "GET", p.path("/plots/reminders"), gm, nil)
			var due []string
			for _, it := range rem.body["plots"].([]any) {
				due = append(due, fmt.Sprint(it.(map[string]any)["plot"].(map[string]any)["title"]))
			}
			if rem.body["latest_session_number"] != float64(4) || rem.body["reminder_sessions"] != float64(3) {
				t.Errorf("reminders: %s", rem.raw)
			}
			wantList(t, "threads due", []string{"Find the key", "Bribe the guard", "Stop the vampire"}, due)
			if hints := rem.body["foreshadowing"].([]any); len(hints) != 1 || rem.field("foreshadowing", 0, "foreshadowing", "id") != f1.str("id") || rem.field("foreshadowing", 0, "sessions_since_planted") != float64(3) {
				t.Errorf("foreshadowing due: %s", rem.raw)
			}
			c.must(403, "GET", p.path("/plots/reminders"), player, nil)
			c.must(200, "PATCH", p.path(""), gm, map[string]any{"settings": map[string]any{"reminder_sessions": 5, "keyword_threshold": 0.6}})
			if rem := c.must(200, "GET", p.path("/plots/reminders"), gm, nil); len(rem.body["plots"].([]any))+len(rem.body["foreshadowing"].([]any)) != 0 {
				t.Errorf("reminders with N=5: %s", rem.raw)
			}

			reordered := c.must(200, "PATCH", "/api/v1/plots/"+a, gm, map[string]any{"milestones": []map[string]any{{"id": m2, "title": "Confront him", "order": 2}, {"id": m1, "title": "Find the sword", "done": true, "order": 1}, {"title": "Escape"}}})
			if reordered.field("milestones", 0, "id") != m1 || reordered.field("milestones", 0, "done_session_id") != s1 ||
				reordered.field("milestones", 1, "id") != m2 || reordered.field("milestones", 2, "title") != "Escape" || reordered.field("milestones", 2, "order") != float64(3) {
				t.Errorf("reordered milestones: %s", reordered.raw)
			}
			c.must(204, "DELETE", "/api/v1/plots/"+a+"/dependencies/"+bb, gm, nil)
			c.must(404, "DELETE", "/api/v1/plots/"+a+"/dependencies/"+bb, gm, nil)
			c.must(204, "DELETE", "/api/v1/plots/"+cc, gm, nil)
			wantList(t, "blocked_by of B after C went", nil, c.must(200, "GET", "/api/v1/plots/"+bb+"/status", gm, nil).refs("blocked_by"))
			events := c.must(200, "GET", p.path("/events?entity_type=plot&entity_id="+a), gm, nil)
			if n := len(events.items()); n != 3 { // create, progress, patch
				t.Errorf("audit events of A = %d, want 3: %s", n, events.raw)
			}
		})
	}
}

// TestPlotBadInput sends bad plot requests: each answers with a problem
// naming the field or the conflict, and stores nothing.
func TestPlotBadInput(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm := p.token["gm"]
			a := p.plot(map[string]any{"title": "A", "milestones": []map[string]any{{"title": "M"}}})
			bb := p.plot(map[string]any{"title": "B"})
			c.must(201, "POST", "/api/v1/plots/"+a+"/dependencies", gm, map[string]any{"depends_on": bb})
			hint := c.must(201, "POST", "/api/v1/plots/"+a+"/foreshadowing", gm, map[string]any{"description": "x"}).str("id")
			other := "/api/v1/campaigns/" + c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Other"}).str("id")
			foreignSession := c.must(201, "POST", other+"/sessions", gm, map[string]any{"title": "Theirs"}).str("id")
			foreignNPC := c.must(201, "POST", other+"/characters", gm, map[string]any{"name": "Theirs", "character_type": "npc"}).str("id")
			plot := "/api/v1/plots/" + a
			tests := []struct {
				name, method, path string
				body               any
				headers            []string
				want               int
				code, field        string
			}{
				{"progress over 100", "PUT", plot + "/progress", map[string]any{"progress": 150, "status": "active"}, nil, 422, "", "body.progress"},
				{"progress below 0", "POST", p.path("/plots"), map[string]any{"title": "x", "progress": -1}, nil, 422, "", "body.progress"},
				{"progress over 100 in a patch", "PATCH", plot, map[string]any{"progress": 101}, nil, 422, "", "body.progress"},
				{"unknown status", "POST", p.path("/plots"), map[string]any{"title": "x", "status": "paused"}, nil, 422, "", "body.status"},
				{"unknown status in progress", "PUT", plot + "/progress", map[string]any{"progress": 5, "status": "done"}, nil, 422, "", "body.status"},
				{"unknown status filter", "GET", p.path("/plots?status=done"), nil, nil, 422, "", "query.status"},
				{"cycle", "POST", "/api/v1/plots/" + bb + "/dependencies", map[string]any{"depends_on": a}, nil, 409, "dependency_cycle", ""},
				{"self dependency", "POST", plot + "/dependencies", map[string]any{"depends_on": a}, nil, 409, "dependency_cycle", ""},
				{"dependency twice", "POST", plot + "/dependencies", map[string]any{"depends_on": bb}, nil, 409, "dependency_exists", ""},
				{"unknown dependency", "POST", plot + "/dependencies", map[string]any{"depends_on": p.campaign}, nil, 404, "depends_on_not_found", ""},
				{"stale If-Match", "PATCH", plot, map[string]any{"title": "y"}, []string{"If-Match", `"9"`}, 409, "stale_version", ""},
				{"stale progress", "PUT", plot + "/progress", map[string]any{"progress": 5, "status": "active"}, []string{"If-Match", `"9"`}, 409, "stale_version", ""},
				{"stale reveal", "PATCH", "/api/v1/foreshadowing/" + hint, map[string]any{"revealed": true}, []string{"If-Match", `"9"`}, 409, "stale_version", ""},
				{"stale delete", "DELETE", plot, nil, []string{"If-Match", `"9"`}, 409, "stale_version", ""},
				{"unknown milestone", "PUT", plot + "/progress", map[string]any{"progress": 5, "status": "active", "milestone_id": p.campaign}, nil, 422, "", "body.milestone_id"},
				{"completed alone", "PUT", plot + "/progress", map[string]any{"progress": 5, "status": "active", "completed": true}, nil, 422, "", "body.completed"},
				{"milestone of nowhere", "PATCH", plot, map[string]any{"milestones": []map[string]any{{"id": p.campaign, "title": "x"}}}, nil, 422, "", "body.milestones[0].id"},
				{"milestone without title", "PATCH", plot, map[string]any{"milestones": []map[string]any{{"title": " "}}}, nil, 422, "", "body.milestones[0].title"},
				{"session of another campaign", "PUT", plot + "/progress", map[string]any{"progress": 5, "status": "active", "session_id": foreignSession}, nil, 422, "", "body.session_id"},
				{"planted in another campaign", "POST", plot + "/foreshadowing", map[string]any{"description": "x", "session_id": foreignSession}, nil, 422, "", "body.session_id"},
				{"character of another campaign", "PATCH", plot, map[string]any{"character_ids": []string{foreignNPC}}, nil, 422, "", "body.character_ids"},
				{"unknown location", "POST", p.path("/plots"), map[string]any{"title": "x", "location_ids": []string{p.campaign}}, nil, 422, "", "body.location_ids"},
				{"empty title", "POST", p.path("/plots"), map[string]any{"title": ""}, nil, 422, "", "body.title"},
				{"empty hint", "POST", plot + "/foreshadowing", map[string]any{"description": "  "}, nil, 422, "", "body.description"},
				{"bad visibility", "PATCH", plot, map[string]any{"visibility": "all"}, nil, 422, "", "body.visibility"},
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
			if n := len(c.must(200, "GET", p.path("/plots"), gm, nil).items()); n != 2 {
				t.Errorf("plots after bad input = %d, want 2", n)
			}
			got := c.must(200, "GET", plot, gm, nil)
			if got.body["version"] != float64(1) || got.str("title") != "A" || len(got.body["foreshadowing"].([]any)) != 1 || got.field("foreshadowing", 0, "version") != float64(1) {
				t.Errorf("plot after bad input: %s", got.raw)
			}
			if n := len(c.must(200, "GET", p.path("/events?entity_type=plot"), gm, nil).items()); n != 2 {
				t.Errorf("plot audit events after bad input = %d, want 2", n)
			}
		})
	}
}

// TestPlotPermissions is the spec of who may do what with plot threads:
// every endpoint on a public thread and a GM-only one, and on revealed,
// unrevealed and GM-only-thread foreshadowing, as each kind of caller.
func TestPlotPermissions(t *testing.T) {
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
			gm := p.token["gm"]
			public := p.plot(map[string]any{"title": "Public", "visibility": "players"})
			hidden := p.plot(map[string]any{"title": "Hidden"})
			target := p.plot(map[string]any{"title": "Target", "visibility": "players"})
			plant := func(plot string, revealed bool) string {
				id := c.must(201, "POST", "/api/v1/plots/"+plot+"/foreshadowing", gm, map[string]any{"description": "hint"}).str("id")
				if revealed {
					c.must(200, "PATCH", "/api/v1/foreshadowing/"+id, gm, map[string]any{"revealed": true})
				}
				return id
			}
			type row struct {
				method, path string
				body         any
				want         string
			}
			rows := []row{
				{"GET", p.path("/plots"), nil, readAll},
				{"POST", p.path("/plots"), map[string]any{"title": "New"}, gmCreates},
				{"GET", p.path("/plots/reminders"), nil, gmWrites},
			}
			plots := []struct{ id, vis, read, write, create, del string }{
				{public, "players", readAll, gmWrites, gmCreates, gmDeletes},
				{hidden, "gm", gmOnly200, gmOnly200, gmOnly201, gmOnly204},
			}
			for _, pl := range plots {
				base := "/api/v1/plots/" + pl.id
				rows = append(rows,
					row{"GET", base, nil, pl.read},
					row{"GET", base + "/status", nil, pl.read},
					row{"GET", base + "/dependencies", nil, pl.read},
					row{"PATCH", base, map[string]any{"summary": "s"}, pl.write},
					row{"PUT", base, map[string]any{"title": "T", "status": "active", "visibility": pl.vis}, pl.write},
					row{"PUT", base + "/progress", map[string]any{"progress": 10, "status": "active"}, pl.write},
					row{"POST", base + "/dependencies", map[string]any{"depends_on": target}, pl.create},
					row{"DELETE", base + "/dependencies/" + target, nil, pl.del},
					row{"POST", base + "/foreshadowing", map[string]any{"description": "d"}, pl.create},
				)
			}
			hints := []struct{ id, write, del string }{
				{plant(public, true), gmWrites, gmDeletes},
				{plant(public, false), gmOnly200, gmOnly204},
				{plant(hidden, true), gmOnly200, gmOnly204},
			}
			for _, h := range hints {
				rows = append(rows, row{"PATCH", "/api/v1/foreshadowing/" + h.id, map[string]any{"description": "changed"}, h.write})
			}
			for _, h := range hints {
				rows = append(rows, row{"DELETE", "/api/v1/foreshadowing/" + h.id, nil, h.del})
			}
			for _, pl := range plots {
				rows = append(rows, row{"DELETE", "/api/v1/plots/" + pl.id, nil, pl.del})
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
