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
