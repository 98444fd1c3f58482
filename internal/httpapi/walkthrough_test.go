package httpapi_test

import (
	"fmt"
	"testing"
)

// TestWalkthrough follows a group from sign-up to a running campaign, then
// checks who may do what and how refresh tokens rotate.
func TestWalkthrough(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			gmID, gm, gmRefresh := c.signUp("gm@example.com")
			playerID, player, _ := c.signUp("player@example.com")
			_, observer, _ := c.signUp("observer@example.com")
			_, outsider, _ := c.signUp("outsider@example.com")

			created := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Lost Mine of Phandelver", "game_system": "dnd5e"})
			cid := created.str("id")
			if loc := created.header.Get("Location"); loc != "/api/v1/campaigns/"+cid {
				t.Errorf("Location = %q", loc)
			}
			campaign := "/api/v1/campaigns/" + cid

			inv := c.must(201, "POST", campaign+"/invites", gm, map[string]any{"role": "player", "expires_in": 3600})
			c.must(200, "POST", "/api/v1/invites/"+inv.str("code")+"/accept", player, nil)
			c.must(404, "POST", "/api/v1/invites/"+inv.str("code")+"/accept", outsider, nil) // single use
			obs := c.must(201, "POST", campaign+"/invites", gm, map[string]any{"role": "observer"})
			c.must(200, "POST", "/api/v1/invites/"+obs.str("code")+"/accept", observer, nil)

			members := c.must(200, "GET", campaign+"/members", player, nil)
			items, _ := members.body["items"].([]any)
			if len(items) != 3 {
				t.Fatalf("members = %d, want 3: %s", len(items), members.raw)
			}

			// Who may do what.
			checks := []struct {
				who    string
				token  string
				method string
				path   string
				body   any
				want   int
			}{
				{"gm reads", gm, "GET", campaign, nil, 200},
				{"player reads", player, "GET", campaign, nil, 200},
				{"observer reads", observer, "GET", campaign, nil, 200},
				{"outsider reads", outsider, "GET", campaign, nil, 404},
				{"outsider lists members", outsider, "GET", campaign + "/members", nil, 404},
				{"player edits", player, "PATCH", campaign, map[string]any{"name": "Mine"}, 403},
				{"observer edits", observer, "PATCH", campaign, map[string]any{"name": "Mine"}, 403},
				{"outsider edits", outsider, "PATCH", campaign, map[string]any{"name": "Mine"}, 404},
				{"player invites", player, "POST", campaign + "/invites", map[string]any{}, 403},
				{"player reads audit", player, "GET", campaign + "/events", nil, 403},
				{"player promotes self", player, "PUT", campaign + "/members/" + playerID, map[string]any{"role": "gm"}, 403},
				{"player deletes", player, "DELETE", campaign, nil, 403},
				{"no token", "", "GET", campaign, nil, 401},
				{"gm edits", gm, "PATCH", campaign, map[string]any{"description": "Goblins!"}, 200},
				{"gm demotes last gm", gm, "PUT", campaign + "/members/" + gmID, map[string]any{"role": "player"}, 409},
				{"gm removes self as last gm", gm, "DELETE", campaign + "/members/" + gmID, nil, 409},
				{"gm promotes player", gm, "PUT", campaign + "/members/" + playerID, map[string]any{"role": "gm"}, 200},
				{"gm now steps down", gm, "PUT", campaign + "/members/" + gmID, map[string]any{"role": "player"}, 200},
				{"old gm lost rights", gm, "PATCH", campaign, map[string]any{"name": "x"}, 403},
				{"new gm reads audit", player, "GET", campaign + "/events", nil, 200},
			}
			for _, ck := range checks {
				if r := c.do(ck.method, ck.path, ck.token, ck.body); r.status != ck.want {
					t.Errorf("%s: %s %s = %d %s, want %d", ck.who, ck.method, ck.path, r.status, r.raw, ck.want)
				}
			}

			events := c.must(200, "GET", campaign+"/events?entity_type=member", player, nil)
			if evs, _ := events.body["items"].([]any); len(evs) != 4 { // 2 accepts, 2 role changes
				t.Errorf("member events = %d, want 4: %s", len(evs), events.raw)
			}

			// Refresh rotation and reuse detection.
			r1 := c.must(200, "POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": gmRefresh})
			r2 := c.must(200, "POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": r1.str("refresh_token")})
			c.must(200, "GET", "/api/v1/users/me", r2.str("access_token"), nil)
			reuse := c.must(401, "POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": gmRefresh})
			if reuse.str("code") != "refresh_token_reused" {
				t.Errorf("reuse answer code = %q", reuse.str("code"))
			}
			c.must(401, "POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": r2.str("refresh_token")})
		})
	}
}

func TestCampaignVersions(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, gm, _ := c.signUp("gm@example.com")
			cr := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "C"})
			path := "/api/v1/campaigns/" + cr.str("id")
			if et := cr.header.Get("ETag"); et != `"1"` {
				t.Errorf("ETag = %q, want \"1\"", et)
			}
			c.must(200, "PUT", path, gm, map[string]any{"name": "C2", "description": "d"}, "If-Match", `"1"`)
			stale := c.must(409, "PATCH", path, gm, map[string]any{"name": "C3"}, "If-Match", `"1"`)
			if stale.str("code") != "stale_version" {
				t.Errorf("stale write code = %q", stale.str("code"))
			}
			got := c.must(200, "GET", path, gm, nil)
			if got.str("name") != "C2" || got.body["version"] != float64(2) {
				t.Errorf("after stale write: %s", got.raw)
			}
			for i := range 3 {
				c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": fmt.Sprint("P", i)})
			}
			page := c.must(200, "GET", "/api/v1/campaigns?limit=3", gm, nil)
			next := page.str("next_cursor")
			rest := c.must(200, "GET", "/api/v1/campaigns?limit=3&cursor="+next, gm, nil)
			if a, b := page.body["items"].([]any), rest.body["items"].([]any); len(a) != 3 || len(b) != 1 || next == "" || rest.str("next_cursor") != "" {
				t.Errorf("pages: %d + %d, cursor %q", len(a), len(b), next)
			}
			c.must(204, "DELETE", path, gm, nil)
			c.must(404, "GET", path, gm, nil)
		})
	}
}
