package httpapi_test

import "testing"

func TestSessions(t *testing.T) {
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

			sessions := "/api/v1/campaigns/" + cid + "/sessions"
			s1 := c.must(201, "POST", sessions, gm, map[string]any{"title": "Goblin Arrows", "scheduled_at": "2026-12-01T19:00:00+01:00"})
			s2 := c.must(201, "POST", sessions, gm, map[string]any{"title": "Cragmaw Hideout"})
			if s1.body["number"] != float64(1) || s2.body["number"] != float64(2) || s1.str("scheduled_at") != "2026-12-01T18:00:00Z" {
				t.Errorf("created sessions: %s / %s", s1.raw, s2.raw)
			}
			one, two := "/api/v1/sessions/"+s1.str("id"), "/api/v1/sessions/"+s2.str("id")

			checks := []struct {
				name   string
				token  string
				method string
				path   string
				body   any
				want   int
				code   string
			}{
				{"player lists", player, "GET", sessions, nil, 200, ""},
				{"player reads", player, "GET", one, nil, 200, ""},
				{"outsider reads", outsider, "GET", one, nil, 404, ""},
				{"outsider lists", outsider, "GET", sessions, nil, 404, ""},
				{"player creates", player, "POST", sessions, map[string]any{"title": "x"}, 403, ""},
				{"player starts", player, "POST", one + "/start", nil, 403, ""},
				{"gm starts", gm, "POST", one + "/start", nil, 200, ""},
				{"second live", gm, "POST", two + "/start", nil, 409, "session_live"},
				{"start again", gm, "POST", one + "/start", nil, 409, "session_not_scheduled"},
				{"delete live", gm, "DELETE", one, nil, 409, "session_live"},
				{"end scheduled", gm, "POST", two + "/end", nil, 409, "session_not_live"},
				{"gm ends", gm, "POST", one + "/end", nil, 200, ""},
				{"now second starts", gm, "POST", two + "/start", nil, 200, ""},
				{"gm writes notes", gm, "PATCH", one, map[string]any{"notes": "Sildar rescued"}, 200, ""},
				{"bad status filter", gm, "GET", sessions + "?status=paused", nil, 422, ""},
				{"title too long", gm, "POST", sessions, map[string]any{"title": string(make([]byte, 300))}, 422, ""},
			}
			for _, ck := range checks {
				r := c.do(ck.method, ck.path, ck.token, ck.body)
				if r.status != ck.want || (ck.code != "" && r.str("code") != ck.code) {
					t.Errorf("%s: %s %s = %d %s, want %d %s", ck.name, ck.method, ck.path, r.status, r.raw, ck.want, ck.code)
				}
			}
			got := c.must(200, "GET", one, player, nil)
			if got.str("status") != "ended" || got.str("started_at") == "" || got.str("ended_at") == "" || got.str("notes") != "Sildar rescued" {
				t.Errorf("ended session = %s", got.raw)
			}
			live := c.must(200, "GET", sessions+"?status=live", player, nil)
			if items := live.body["items"].([]any); len(items) != 1 {
				t.Errorf("live sessions = %s", live.raw)
			}
		})
	}
}
