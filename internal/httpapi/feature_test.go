package httpapi_test

import (
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
)

// TestCampaignFeatures: a GM switches optional features off for their
// campaign with PATCH settings, and the routes that enter them answer 403
// feature_disabled naming the feature at once; switching them back on
// restores them, with no restart.
func TestCampaignFeatures(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{jobs: true})
			_, gm, _ := c.signUp("gm@example.com")
			_, player, _ := c.signUp("player@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "C"}).str("id")
			code := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/invites", gm, map[string]any{}).str("code")
			c.must(200, "POST", "/api/v1/invites/"+code+"/accept", player, nil)
			sid := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/sessions", gm, map[string]any{"title": "1"}).str("id")
			setOff := func(features ...string) {
				t.Helper()
				if features == nil {
					features = []string{}
				}
				c.must(200, "PATCH", "/api/v1/campaigns/"+cid, gm, map[string]any{"settings": map[string]any{"disabled_features": features}})
			}
			entries := []struct {
				feature      string
				method, path string
				body         any
			}{
				{"ai", "POST", "/api/v1/campaigns/" + cid + "/generate/npc", map[string]any{}},
				{"ai", "POST", "/api/v1/campaigns/" + cid + "/plot-hooks", map[string]any{}},
				{"audio", "GET", "/api/v1/sessions/" + sid + "/audio/ws", nil},
				{"discord", "POST", "/api/v1/sessions/" + sid + "/discord/post", map[string]any{}},
			}
			off := func(r response, feature string) bool {
				return r.status == 403 && r.str("code") == "feature_disabled" && strings.Contains(r.str("detail"), `"`+feature+`"`)
			}
			for _, e := range entries {
				if r := c.do(e.method, e.path, gm, e.body); r.status == 403 {
					t.Errorf("%s %s with every feature on = %d %s", e.method, e.path, r.status, r.raw)
				}
			}
			setOff("ai", "audio", "discord", "dndbeyond_sync")
			got := c.must(200, "GET", "/api/v1/campaigns/"+cid, gm, nil).body["settings"].(map[string]any)["disabled_features"]
			if len(got.([]any)) != 4 {
				t.Errorf("disabled_features = %v, want the 4 set", got)
			}
			for _, e := range entries {
				if r := c.do(e.method, e.path, gm, e.body); !off(r, e.feature) || !strings.Contains(r.str("detail"), "in this campaign") {
					t.Errorf("%s %s with %s off = %d %s, want 403 feature_disabled naming it", e.method, e.path, e.feature, r.status, r.raw)
				}
			}
			// Other campaigns and other routes are untouched.
			other := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "D"}).str("id")
			c.must(200, "POST", "/api/v1/campaigns/"+other+"/generate/npc", gm, map[string]any{})
			c.must(200, "GET", "/api/v1/campaigns/"+cid+"/characters", gm, nil)

			setOff()
			for _, e := range entries {
				if r := c.do(e.method, e.path, gm, e.body); r.status == 403 {
					t.Errorf("%s %s switched back on = %d %s", e.method, e.path, r.status, r.raw)
				}
			}

			for _, tc := range []struct {
				name  string
				token string
				body  any
				want  int
				field string
			}{
				{"unknown feature", gm, []string{"teleport"}, 422, "body.settings.disabled_features[0]"},
				{"instance-only feature", gm, []string{"public_signup"}, 422, "body.settings.disabled_features[0]"},
				{"player", player, []string{"ai"}, 403, ""},
			} {
				r := c.do("PATCH", "/api/v1/campaigns/"+cid, tc.token, map[string]any{"settings": map[string]any{"disabled_features": tc.body}})
				if r.status != tc.want || (tc.field != "" && !strings.Contains(string(r.raw), tc.field)) {
					t.Errorf("%s: PATCH = %d %s, want %d naming %q", tc.name, r.status, r.raw, tc.want, tc.field)
				}
			}
			if got := c.must(200, "GET", "/api/v1/campaigns/"+cid, gm, nil).body["settings"].(map[string]any)["disabled_features"]; got != nil {
				t.Errorf("disabled_features after refused patches = %v, want none", got)
			}
		})
	}
}

// TestInstanceFeatures: features switched off for the server refuse their
// routes in every campaign, sign-up included, and /readyz lists them.
func TestInstanceFeatures(t *testing.T) {
	t.Parallel()
	b := backends[0]
	c := newServer(t, b.open, serverOpts{featuresOff: []gmc.Feature{gmc.FeatureAI}})
	_, gm, _ := c.signUp("gm@example.com")
	cid := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "C"}).str("id")
	r := c.do("POST", "/api/v1/campaigns/"+cid+"/generate/npc", gm, map[string]any{})
	if r.status != 403 || r.str("code") != "feature_disabled" || !strings.Contains(r.str("detail"), "on this server") {
		t.Errorf("generate with ai off on the server = %d %s", r.status, r.raw)
	}
	features := c.must(200, "GET", "/readyz", "", nil).body["components"].(map[string]any)["features"].(map[string]any)
	if features["ai"] != false || features["audio"] != true || features["public_signup"] != true {
		t.Errorf("readyz features = %v, want ai off and the rest on", features)
	}

	closed := newServer(t, b.open, serverOpts{featuresOff: []gmc.Feature{gmc.FeaturePublicSignup}})
	r = closed.do("POST", "/api/v1/auth/register", "", map[string]any{"email": "new@example.com", "password": "correct horse battery", "display_name": "New"})
	if r.status != 403 || r.str("code") != "feature_disabled" || !strings.Contains(r.str("detail"), "public_signup") {
		t.Errorf("register with public_signup off = %d %s, want 403 feature_disabled", r.status, r.raw)
	}
}
