package httpapi_test

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const signUpPassword = "correct horse battery"

// login starts another session of an existing account.
func (c *client) login(email string) (token, refresh string) {
	c.t.Helper()
	r := c.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": signUpPassword})
	return r.str("access_token"), r.str("refresh_token")
}

// wantRevoked checks that an access token is refused as ended.
func wantRevoked(t *testing.T, c *client, what, token string) {
	t.Helper()
	if r := c.do("GET", "/api/v1/users/me", token, nil); r.status != 401 || r.str("code") != "token_revoked" {
		t.Errorf("%s: GET /users/me = %d %s, want 401 token_revoked", what, r.status, r.raw)
	}
}

// wantRefreshRefused checks that a refresh token gets no new pair.
func wantRefreshRefused(t *testing.T, c *client, what, refresh string) {
	t.Helper()
	if r := c.do("POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}); r.status != 401 {
		t.Errorf("%s: refresh = %d %s, want 401", what, r.status, r.raw)
	}
}

// TestCredentialChangeEndsSessions: a change of password or email ends
// every session of the account at once, refresh and access tokens alike,
// and the session that made the change goes on with the new pair it gets.
func TestCredentialChangeEndsSessions(t *testing.T) {
	t.Parallel()
	changes := []struct {
		name   string
		change map[string]any
		login  string // the email to log in with afterwards
	}{
		{"password", map[string]any{"new_password": "a brand new passphrase", "current_password": signUpPassword}, ""},
		{"email", map[string]any{"email": "moved@example.com", "current_password": signUpPassword}, "moved@example.com"},
	}
	for _, b := range backends {
		for _, ch := range changes {
			t.Run(b.name+"/"+ch.name, func(t *testing.T) {
				t.Parallel()
				c := newServer(t, b.open, serverOpts{})
				_, laptop, laptopRefresh := c.signUp("victim@example.com")
				phone, phoneRefresh := c.login("victim@example.com")
				_, bystander, bystanderRefresh := c.signUp("bystander@example.com")

				r := c.must(200, "PATCH", "/api/v1/users/me", laptop, ch.change)
				if r.header.Get("Cache-Control") != "no-store" {
					t.Errorf("PATCH /users/me with new credentials: Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
				}
				pair, _ := r.body["tokens"].(map[string]any)
				access, _ := pair["access_token"].(string)
				refresh, _ := pair["refresh_token"].(string)
				if access == "" || refresh == "" {
					t.Fatalf("PATCH /users/me = %s, want the new session's tokens", r.raw)
				}

				wantRefreshRefused(t, c, "the other login's refresh token", phoneRefresh)
				wantRefreshRefused(t, c, "the changing login's old refresh token", laptopRefresh)
				wantRevoked(t, c, "the other login's access token", phone)
				wantRevoked(t, c, "the changing login's old access token", laptop)

				c.must(200, "GET", "/api/v1/users/me", access, nil)
				next := c.must(200, "POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh})
				c.must(200, "GET", "/api/v1/users/me", next.str("access_token"), nil)

				c.must(200, "GET", "/api/v1/users/me", bystander, nil)
				c.must(200, "POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": bystanderRefresh})
			})
		}
	}
}

// TestDisplayNameChangeKeepsSessions: only credentials end sessions.
func TestDisplayNameChangeKeepsSessions(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, token, _ := c.signUp("named@example.com")
			phone, phoneRefresh := c.login("named@example.com")
			r := c.must(200, "PATCH", "/api/v1/users/me", token, map[string]any{"display_name": "Renamed", "email": "NAMED@example.com", "current_password": signUpPassword})
			if _, ok := r.body["tokens"]; ok {
				t.Errorf("PATCH /users/me display name = %s, want no new tokens", r.raw)
			}
			c.must(200, "GET", "/api/v1/users/me", phone, nil)
			c.must(200, "POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": phoneRefresh})
		})
	}
}

// TestLogoutEndsAccessTokens: logout ends the access tokens of the account
// at once; other logins keep their refresh tokens and get new access tokens.
func TestLogoutEndsAccessTokens(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, laptop, laptopRefresh := c.signUp("leaver@example.com")
			phone, phoneRefresh := c.login("leaver@example.com")
			_, bystander, _ := c.signUp("stays@example.com")
			c.must(204, "POST", "/api/v1/auth/logout", "", map[string]any{"refresh_token": laptopRefresh})

			wantRevoked(t, c, "the logged-out access token", laptop)
			wantRevoked(t, c, "another login's access token", phone)
			wantRefreshRefused(t, c, "the logged-out refresh token", laptopRefresh)
			next := c.must(200, "POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": phoneRefresh})
			c.must(200, "GET", "/api/v1/users/me", next.str("access_token"), nil)
			c.must(200, "GET", "/api/v1/users/me", bystander, nil)
		})
	}
}

// TestRefreshReuseEndsAccessTokens: a refresh token presented twice (a
// stolen one, say) ends its family and the account's access tokens.
func TestRefreshReuseEndsAccessTokens(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, _, refresh := c.signUp("reused@example.com")
			next := c.must(200, "POST", "/api/v1/auth/refresh", "", map[string]any{"refresh_token": refresh})
			wantRefreshRefused(t, c, "the spent refresh token", refresh)
			wantRevoked(t, c, "the access token from the family's last refresh", next.str("access_token"))
		})
	}
}

// TestRoleRemovalTakesEffectAtOnce: membership is checked per request, so
// a removed member's still-valid token is a stranger's at once (404) and a
// lowered role is refused at once (403).
func TestRoleRemovalTakesEffectAtOnce(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, founder, _ := c.signUp("founder@example.com")
			coID, coGM, _ := c.signUp("co-gm@example.com")
			playerID, player, _ := c.signUp("player@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", founder, map[string]any{"name": "Shared"}).str("id")
			founderID := c.must(200, "GET", "/api/v1/users/me", founder, nil).str("id")
			gmCode := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/invites", founder, map[string]any{"role": "gm"}).str("code")
			c.must(200, "POST", "/api/v1/invites/"+gmCode+"/accept", coGM, nil)
			playerCode := c.must(201, "POST", "/api/v1/campaigns/"+cid+"/invites", founder, map[string]any{}).str("code")
			c.must(200, "POST", "/api/v1/invites/"+playerCode+"/accept", player, nil)
			c.must(200, "GET", "/api/v1/campaigns/"+cid, player, nil)

			c.must(204, "DELETE", "/api/v1/campaigns/"+cid+"/members/"+playerID, coGM, nil)
			if r := c.do("GET", "/api/v1/campaigns/"+cid, player, nil); r.status != 404 {
				t.Errorf("removed member: GET campaign = %d %s, want 404", r.status, r.raw)
			}

			c.must(200, "PUT", "/api/v1/campaigns/"+cid+"/members/"+founderID, coGM, map[string]any{"role": "player"})
			if r := c.do("POST", "/api/v1/campaigns/"+cid+"/invites", founder, map[string]any{}); r.status != 403 {
				t.Errorf("GM lowered to player: create invite = %d %s, want 403", r.status, r.raw)
			}
			c.must(200, "GET", "/api/v1/campaigns/"+cid, founder, nil)
			_ = coID
		})
	}
}

// TestEmailLookalikes: addresses that read the same are one account,
// whatever Unicode form or case they are typed in.
func TestEmailLookalikes(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			_, token, _ := c.signUp("\u00fani@example.test")
			other := c.must(201, "POST", "/api/v1/auth/register", "", map[string]any{"email": "other@example.test", "password": signUpPassword, "display_name": "Other"})
			_ = other
			for _, lookalike := range []string{"u\u0301ni@example.test", "\u00daNI@EXAMPLE.TEST", "\uff55\u0301ni@\uff45xample.test"} {
				r := c.do("POST", "/api/v1/auth/register", "", map[string]any{"email": lookalike, "password": signUpPassword, "display_name": "Mallory"})
				if r.status != 409 {
					t.Errorf("register %q next to \u00fani@example.test = %d %s, want 409", lookalike, r.status, r.raw)
				}
				if r := c.do("POST", "/api/v1/auth/login", "", map[string]any{"email": lookalike, "password": signUpPassword}); r.status != 200 {
					t.Errorf("login as %q = %d %s, want 200", lookalike, r.status, r.raw)
				}
			}
			_, otherToken, _ := c.signUp("third@example.test")
			r := c.do("PATCH", "/api/v1/users/me", otherToken, map[string]any{"email": "U\u0301NI@example.test", "current_password": signUpPassword})
			if r.status != 409 || r.str("code") != "email_taken" {
				t.Errorf("change email to a look-alike of a taken one = %d %s, want 409 email_taken", r.status, r.raw)
			}
			if got := c.must(200, "GET", "/api/v1/users/me", token, nil).str("email"); got != "\u00fani@example.test" {
				t.Errorf("stored email = %q, want the NFKC, case-folded form", got)
			}
		})
	}
}

// tokenWithoutVersion signs an access token as servers before token
// versions did: no "tv" claim. The key is the test server's.
func tokenWithoutVersion(t *testing.T, userID string) string {
	t.Helper()
	key, err := hkdf.Key(sha256.New, bytes.Repeat([]byte("k"), 32), nil, "gmc access-token signing v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Subject: userID, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(15 * time.Minute)), ID: "legacy",
	}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestTokenWithoutVersion: a token signed before token versions existed
// counts as version 0, what every account starts at, and ends with the
// account's first logout like any other.
func TestTokenWithoutVersion(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			id, _, refresh := c.signUp("upgraded@example.com")
			legacy := tokenWithoutVersion(t, id)
			c.must(200, "GET", "/api/v1/users/me", legacy, nil)
			c.must(204, "POST", "/api/v1/auth/logout", "", map[string]any{"refresh_token": refresh})
			wantRevoked(t, c, "a token without a version after a logout", legacy)
		})
	}
}
