package httpapi_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/service"
)

// TestRouteLimits runs each class of request into its limit: the refusal
// is a 429 with Retry-After, the classes count apart, and the window
// passing lets the caller in again.
func TestRouteLimits(t *testing.T) {
	t.Parallel()
	routes, err := service.ParseRouteLimits("auth=3/1m,read=3/1m,write=2/1m,search=1/1m")
	if err != nil {
		t.Fatal(err)
	}
	limits := service.DefaultLimits
	limits.Routes = routes
	clock := &fakeClock{t: time.Now()}
	c := newServer(t, backends[0].open, serverOpts{now: clock.Now, limits: &limits})

	_, token, _ := c.signUp("limited@example.com") // auth 1 and 2
	camp := c.must(201, "POST", "/api/v1/campaigns", token, map[string]any{"name": "Limits"}).str("id")
	refused := func(r response, what string) {
		t.Helper()
		if r.status != 429 || r.str("code") != "rate_limited" {
			t.Fatalf("%s = %d %s, want 429 rate_limited", what, r.status, r.raw)
		}
		if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
			t.Errorf("%s: Retry-After %q", what, r.header.Get("Retry-After"))
		}
	}
	for range 3 {
		c.must(200, "GET", "/api/v1/campaigns/"+camp, token, nil)
	}
	refused(c.do("GET", "/api/v1/campaigns/"+camp, token, nil), "the 4th read")
	c.must(201, "POST", "/api/v1/campaigns/"+camp+"/characters", token, map[string]any{"name": "Ada", "character_type": "npc"})
	refused(c.do("POST", "/api/v1/campaigns/"+camp+"/characters", token, map[string]any{"name": "Bea", "character_type": "npc"}), "the 3rd write")
	c.must(200, "GET", "/api/v1/campaigns/"+camp+"/search?q=Ada", token, nil)
	refused(c.do("GET", "/api/v1/campaigns/"+camp+"/search?q=Ada", token, nil), "the 2nd search")

	// Another account has its own counts; sign-ins share the address's.
	c.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": "limited@example.com", "password": "correct horse battery"})
	refused(c.do("POST", "/api/v1/auth/login", "", map[string]any{"email": "limited@example.com", "password": "correct horse battery"}), "the 4th sign-in")

	clock.Advance(61 * time.Second)
	c.must(200, "GET", "/api/v1/campaigns/"+camp, token, nil)
	c.must(201, "POST", "/api/v1/campaigns/"+camp+"/characters", token, map[string]any{"name": "Bea", "character_type": "npc"})
	c.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": "limited@example.com", "password": "correct horse battery"})
}
