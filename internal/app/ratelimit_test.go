package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/testenv"
)

// TestRateLimitsSharedAcrossInstances: two instances on one Redis count
// together, so guesses spread over them meet one limit, not one each.
func TestRateLimitsSharedAcrossInstances(t *testing.T) {
	t.Parallel()
	cfg := config.Config{DatabaseURL: testenv.PostgresSchema(t), RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.RedisPrefix(t)}
	a, b := startInstance(t, cfg), startInstance(t, cfg)
	a.signUp("owner@example.com")
	limit := service.DefaultLimits.LoginPair.Limit
	for i := range limit {
		in := []*instance{a, b}[i%2]
		if status := loginStatus(t, in, "owner@example.com", "wrong guess"); status != http.StatusUnauthorized {
			t.Fatalf("guess %d = %d, want 401", i+1, status)
		}
	}
	for name, in := range map[string]*instance{"a": a, "b": b} {
		if status := loginStatus(t, in, "owner@example.com", "wrong guess"); status != http.StatusTooManyRequests {
			t.Errorf("guess %d on instance %s = %d, want 429 (each instance saw only %d)", limit+1, name, status, limit/2)
		}
	}
}

func loginStatus(t *testing.T, in *instance, email, password string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := http.Post(in.base+"/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestStartupLogNamesRateLimitBackend: the start-up line says where the
// counts live.
func TestStartupLogNamesRateLimitBackend(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  config.Config
		want string
	}{
		{"memory", config.Config{}, "rate_limits=memory"},
		{"redis", config.Config{RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.RedisPrefix(t)}, "rate_limits=redis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			tc.cfg.DataDir = t.TempDir()
			tc.cfg.SecretKey = strings.Repeat("s", 32)
			a, err := app.New(context.Background(), tc.cfg, slog.New(slog.NewTextHandler(&logs, nil)), "test")
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if !strings.Contains(logs.String(), tc.want) {
				t.Errorf("start-up log does not say %s:\n%s", tc.want, logs.String())
			}
		})
	}
}
