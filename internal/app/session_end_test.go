package app_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/authcache"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/testenv"
)

// status answers a GET with token, without failing the test.
func (in *instance) status(path, token string) int {
	in.t.Helper()
	req, _ := http.NewRequest("GET", in.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// secondsUntilRefused polls until token is refused, up to limit.
func secondsUntilRefused(t *testing.T, in *instance, token string, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		if in.status("/users/me", token) == http.StatusUnauthorized {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the access token still works on the other instance %v after the logout", limit)
	return 0
}

// TestLogoutReachesOtherInstances: a logout on one instance ends the
// account's access tokens on every instance — at once through Redis, and
// within the account cache's TTL when the instances share only the database.
func TestLogoutReachesOtherInstances(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		redis bool
		limit time.Duration
	}{
		{"redis", true, time.Second},
		{"database only", false, authcache.DefaultTTL + 2*time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Config{DatabaseURL: testenv.PostgresSchema(t)}
			if tc.redis {
				cfg.RedisURL, cfg.RedisPrefix = testenv.RedisURL(t), testenv.RedisPrefix(t)
			}
			a, b := startInstance(t, cfg), startInstance(t, cfg)
			a.call("POST", "/auth/register", "", map[string]any{"email": "roams@example.com", "password": "correct horse battery", "display_name": "Roams"}, 201)
			tok := a.call("POST", "/auth/login", "", map[string]any{"email": "roams@example.com", "password": "correct horse battery"}, 200)
			access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)
			b.call("GET", "/users/me", access, nil, 200) // b now holds the account's entry

			a.call("POST", "/auth/logout", "", map[string]any{"refresh_token": refresh}, 204)
			if got := a.status("/users/me", access); got != http.StatusUnauthorized {
				t.Errorf("the instance that logged out: GET /users/me = %d, want 401", got)
			}
			took := secondsUntilRefused(t, b, access, tc.limit)
			t.Logf("refused on the other instance after %v", took)
		})
	}
}
