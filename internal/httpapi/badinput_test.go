package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestBadInput sends each kind of bad request and checks the status, that
// the answer is a problem document naming the field, and that nothing was
// stored.
func TestBadInput(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			clock := &fakeClock{t: time.Now()}
			c := newServer(t, b.open, serverOpts{now: clock.Now})
			_, gm, _ := c.signUp("gm@example.com")
			_, other, _ := c.signUp("other@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Real"}).str("id")
			inv := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/invites", gm, map[string]any{}).str("code")
			c.must(200, "POST", "/api/v1/invites/"+inv+"/accept", other, nil)

			unsigned := func(header, claims string) string {
				enc := base64.RawURLEncoding.EncodeToString
				return enc([]byte(header)) + "." + enc([]byte(claims)) + "."
			}
			exp := time.Now().Add(time.Hour).Unix()
			claims, _ := json.Marshal(map[string]any{"sub": "019a0000-0000-7000-8000-000000000000", "exp": exp, "iat": time.Now().Unix()})
			forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "exp": exp, "iat": time.Now().Unix()}).SignedString([]byte("not-the-server-key-not-the-server-key"))
			long := strings.Repeat("x", 256)

			tests := []struct {
				name     string
				method   string
				path     string
				token    string
				body     any
				want     int
				location string // the field the problem must name, if any
				headers  []string
			}{
				{"malformed JSON", "POST", "/api/v1/campaigns", gm, `{"name": "x"`, 400, "", nil},
				{"wrong type", "POST", "/api/v1/campaigns", gm, `{"name": 42}`, 422, "body.name", nil},
				{"missing name", "POST", "/api/v1/campaigns", gm, `{"description": "d"}`, 422, "body.name", nil},
				{"empty name", "POST", "/api/v1/campaigns", gm, `{"name": "   "}`, 422, "body.name", nil},
				{"name too long", "POST", "/api/v1/campaigns", gm, map[string]any{"name": long}, 422, "body.name", nil},
				{"settings out of range", "POST", "/api/v1/campaigns", gm, map[string]any{"name": "x", "settings": map[string]any{"reminder_sessions": 0, "keyword_threshold": 2}}, 422, "body.settings.reminder_sessions", nil},
				{"invalid email", "POST", "/api/v1/auth/register", "", map[string]any{"email": "not-an-email", "password": "long enough pw", "display_name": "X"}, 422, "body.email", nil},
				{"short password", "POST", "/api/v1/auth/register", "", map[string]any{"email": "new@example.com", "password": "short", "display_name": "X"}, 422, "body.password", nil},
				{"duplicate email", "POST", "/api/v1/auth/register", "", map[string]any{"email": "GM@example.com ", "password": "long enough pw", "display_name": "X"}, 409, "", nil},
				{"path id not a uuid", "GET", "/api/v1/campaigns/not-a-uuid", gm, nil, 422, "path.campaign_id", nil},
				{"bad If-Match", "PATCH", "/api/v1/campaigns/" + cid, gm, map[string]any{"name": "y"}, 422, "header.If-Match", []string{"If-Match", "yesterday"}},
				{"bad role", "PUT", "/api/v1/campaigns/" + cid + "/members/" + cid, gm, map[string]any{"role": "king"}, 422, "body.role", nil},
				{"invite ttl too long", "POST", "/api/v1/campaigns/" + cid + "/invites", gm, map[string]any{"expires_in": 999999999}, 422, "body.expires_in", nil},
				{"alg none token", "GET", "/api/v1/campaigns", unsigned(`{"alg":"none","typ":"JWT"}`, string(claims)), nil, 401, "", nil},
				{"forged token", "GET", "/api/v1/campaigns", forged, nil, 401, "", nil},
				{"garbage token", "GET", "/api/v1/campaigns", "abc.def.ghi", nil, 401, "", nil},
				{"spent refresh token", "POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": "never-issued"}, 401, "", nil},
				{"body over limit", "POST", "/api/v1/campaigns", gm, `{"name":"` + strings.Repeat("a", 1<<20+10) + `"}`, 413, "", nil},
				{"unknown invite code", "POST", "/api/v1/invites/NOSUCHCODE/accept", other, nil, 404, "", nil},
				{"invite used twice", "POST", "/api/v1/invites/" + inv + "/accept", gm, nil, 404, "", nil},
				{"unknown route", "GET", "/api/v1/nothing-here", gm, nil, 404, "", nil},
			}
			for _, tc := range tests {
				r := c.do(tc.method, tc.path, tc.token, tc.body, tc.headers...)
				if r.status != tc.want {
					t.Errorf("%s: status %d %s, want %d", tc.name, r.status, r.raw, tc.want)
					continue
				}
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("%s: Content-Type %q, want application/problem+json", tc.name, ct)
				}
				if r.str("code") == "" || r.body["status"] != float64(tc.want) {
					t.Errorf("%s: problem without code or status: %s", tc.name, r.raw)
				}
				if tc.location != "" && !strings.Contains(string(r.raw), `"location":"`+tc.location+`"`) {
					t.Errorf("%s: problem does not name %s: %s", tc.name, tc.location, r.raw)
				}
			}

			// Nothing was stored by any of them.
			list := c.must(200, "GET", "/api/v1/campaigns", gm, nil)
			if items := list.body["items"].([]any); len(items) != 1 {
				t.Errorf("campaigns after bad input = %d, want 1", len(items))
			}
			c.must(401, "POST", "/api/v1/auth/login", "", map[string]any{"email": "new@example.com", "password": "short"})
			members := c.must(200, "GET", "/api/v1/campaigns/"+cid+"/members", gm, nil)
			if items := members.body["items"].([]any); len(items) != 2 {
				t.Errorf("members after bad input = %d, want 2", len(items))
			}

			// An access token stops working after 15 minutes.
			clock.Advance(16 * time.Minute)
			expired := c.must(401, "GET", "/api/v1/campaigns", gm, nil)
			if expired.str("code") != "token_expired" {
				t.Errorf("expired token code = %q", expired.str("code"))
			}
		})
	}
}

// TestLoginRateLimit: an address that has guessed ten times is stopped,
// even when it finally sends the right password.
func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	c := newServer(t, backends[0].open, serverOpts{})
	c.signUp("victim@example.com")
	for i := range 10 {
		c.must(401, "POST", "/api/v1/auth/login", "", map[string]any{"email": "victim@example.com", "password": "guess number " + string(rune('a'+i))})
	}
	r := c.must(429, "POST", "/api/v1/auth/login", "", map[string]any{"email": "victim@example.com", "password": "correct horse battery"})
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestLoginSameAnswerForUnknownEmail(t *testing.T) {
	t.Parallel()
	c := newServer(t, backends[0].open, serverOpts{})
	c.signUp("known@example.com")
	wrong := c.must(401, "POST", "/api/v1/auth/login", "", map[string]any{"email": "known@example.com", "password": "wrong password!"})
	unknown := c.must(401, "POST", "/api/v1/auth/login", "", map[string]any{"email": "unknown@example.com", "password": "wrong password!"})
	if string(wrong.raw) != string(unknown.raw) {
		t.Errorf("answers differ:\n%s\n%s", wrong.raw, unknown.raw)
	}
}

func TestRequestIDAndDocs(t *testing.T) {
	t.Parallel()
	c := newServer(t, backends[0].open, serverOpts{})
	r := c.must(200, "GET", "/healthz", "", nil, "X-Request-Id", "abc-123")
	if got := r.header.Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("X-Request-Id echoed = %q", got)
	}
	if got := c.must(200, "GET", "/readyz", "", nil).header.Get("X-Request-Id"); got == "" {
		t.Error("no X-Request-Id generated")
	}
	doc := c.must(200, "GET", "/api/v1/openapi.json", "", nil)
	if doc.str("openapi") != "3.1.0" {
		t.Errorf("openapi version = %q", doc.str("openapi"))
	}
	paths, _ := doc.body["paths"].(map[string]any)
	for _, p := range []string{"/api/v1/auth/login", "/api/v1/campaigns/{campaign_id}", "/api/v1/invites/{code}/accept"} {
		if _, ok := paths[p]; !ok {
			t.Errorf("openapi.json lacks %s", p)
		}
	}
	if docs := c.must(200, "GET", "/api/v1/docs", "", nil); !strings.Contains(string(docs.raw), "openapi") {
		t.Error("docs page does not reference the OpenAPI document")
	}
}
