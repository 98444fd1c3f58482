package httpapi_test

import (
	"strings"
	"testing"
)

// TestDeletedAccountToken: an access token outliving its account is refused
// as unauthenticated everywhere, not answered as if a stranger asked.
func TestDeletedAccountToken(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, gm, _ := c.signUp("gm@example.com")
			_, player, _ := c.signUp("player@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Real"}).str("id")
			code := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/invites", gm, map[string]any{}).str("code")
			c.must(200, "POST", "/api/v1/invites/"+code+"/accept", player, nil)
			sid := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/sessions", gm, map[string]any{"title": "One"}).str("id")
			c.must(204, "DELETE", "/api/v1/users/me", player, nil)

			for _, req := range []struct{ method, path string }{
				{"GET", "/api/v1/users/me"},
				{"POST", "/api/v1/campaigns"},
				{"GET", "/api/v1/campaigns"},
				{"GET", "/api/v1/campaigns/" + cid},
				{"POST", "/api/v1/sessions/" + sid + "/ws-ticket"},
			} {
				var body any
				if req.method == "POST" && strings.HasSuffix(req.path, "/campaigns") {
					body = map[string]any{"name": "Ghost's"}
				}
				r := c.do(req.method, req.path, player, body)
				if r.status != 401 || r.str("code") != "invalid_token" {
					t.Errorf("%s %s with a deleted account's token = %d %s, want 401 invalid_token", req.method, req.path, r.status, r.raw)
				}
			}
			if items := c.must(200, "GET", "/api/v1/campaigns", gm, nil).body["items"].([]any); len(items) != 1 {
				t.Errorf("campaigns = %d, want 1", len(items))
			}
		})
	}
}

// TestExportMe: GET /users/me/export holds the caller's account, their
// memberships and campaigns, the characters they own (as they may see
// them), what they said at the table and the audit events they caused or
// that are about them — and nothing of another member's.
func TestExportMe(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, gm, _ := c.signUp("gm@example.com")
			playerID, player, _ := c.signUp("player@example.com")
			_, other, _ := c.signUp("other@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Barovia"}).str("id")
			for _, tok := range []string{player, other} {
				code := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/invites", gm, map[string]any{}).str("code")
				c.must(200, "POST", "/api/v1/invites/"+code+"/accept", tok, nil)
			}
			mine := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/characters", player, map[string]any{"name": "Ezmerelda", "character_type": "pc"}).str("id")
			c.must(201, "POST", "/api/v1/campaigns/"+cid+"/characters", other, map[string]any{"name": "Ismark", "character_type": "pc"})
			c.must(201, "POST", "/api/v1/campaigns/"+cid+"/characters", gm, map[string]any{"name": "Strahd", "character_type": "npc"})
			sid := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/sessions", gm, map[string]any{"title": "1"}).str("id")
			c.must(201, "POST", "/api/v1/sessions/"+sid+"/transcript/segments", gm, map[string]any{"segments": []any{
				map[string]any{"speaker_label": "A", "start_ms": 0, "end_ms": 800, "text": "I open the gate"},
				map[string]any{"speaker_label": "B", "start_ms": 1000, "end_ms": 1800, "text": "I stay behind"},
				map[string]any{"speaker_label": "A", "start_ms": 2000, "end_ms": 2800, "text": "and light a torch"},
			}})
			c.must(200, "PUT", "/api/v1/sessions/"+sid+"/speakers", gm, map[string]any{"speakers": []any{map[string]any{"label": "A", "user_id": playerID}}})

			e := c.must(200, "GET", "/api/v1/users/me/export", player, nil)
			list := func(key string) []map[string]any {
				var out []map[string]any
				for _, it := range e.body[key].([]any) {
					out = append(out, it.(map[string]any))
				}
				return out
			}
			if u := e.body["user"].(map[string]any); u["id"] != playerID || u["password_hash"] != nil {
				t.Errorf("user = %v, want the player without a password hash", u)
			}
			if ms, cs := list("memberships"), list("campaigns"); len(ms) != 1 || ms[0]["role"] != "player" || len(cs) != 1 || cs[0]["id"] != cid {
				t.Errorf("memberships %v campaigns %v, want the player's one", ms, cs)
			}
			if chars := list("characters"); len(chars) != 1 || chars[0]["id"] != mine {
				t.Errorf("characters = %v, want only the player's own PC", chars)
			}
			var said []string
			for _, s := range list("transcript_segments") {
				said = append(said, s["text"].(string))
			}
			if strings.Join(said, "|") != "I open the gate|and light a torch" {
				t.Errorf("transcript segments = %q, want the two mapped to the player", said)
			}
			events := list("events")
			created := false
			for _, ev := range events {
				if ev["actor_id"] != playerID && ev["entity_id"] != playerID {
					t.Errorf("event %v neither by nor about the player", ev)
				}
				if ev["before"] != nil || ev["after"] != nil {
					t.Errorf("event %v carries its diff to a player", ev)
				}
				created = created || (ev["entity_id"] == mine && ev["action"] == "create")
			}
			if !created {
				t.Errorf("events = %v, want the creation of the player's PC among them", events)
			}

			// The GM's own export carries the diffs of their campaign.
			g := c.must(200, "GET", "/api/v1/users/me/export", gm, nil)
			withDiff := 0
			for _, it := range g.body["events"].([]any) {
				if it.(map[string]any)["after"] != nil {
					withDiff++
				}
			}
			if withDiff == 0 {
				t.Errorf("GM's export: no event with its after state")
			}
		})
	}
}
