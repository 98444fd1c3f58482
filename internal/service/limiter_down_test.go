package service_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/ratelimit"
	"github.com/gmc-project/gmc/internal/service"
)

var errLimiterDown = errors.New("the limiter's Redis does not answer")

// brokenLimiter counts in memory, except that Allow fails for the rules
// named in allow, Peek fails when peek is set (or reports suspect
// failures), and Reset fails when reset is set: the limiter's store going
// away under one kind of call.
type brokenLimiter struct {
	ratelimit.Limiter
	allow   map[string]bool
	peek    bool
	suspect bool
	reset   bool
}

func (l *brokenLimiter) Allow(ctx context.Context, r ratelimit.Rule, key string) (ratelimit.Decision, error) {
	if l.allow[r.Name] {
		return ratelimit.Decision{}, errLimiterDown
	}
	return l.Limiter.Allow(ctx, r, key)
}

func (l *brokenLimiter) Peek(ctx context.Context, r ratelimit.Rule, key string) (ratelimit.Decision, error) {
	switch {
	case l.peek:
		return ratelimit.Decision{}, errLimiterDown
	case l.suspect:
		return ratelimit.Decision{Allowed: true, Count: 100}, nil
	}
	return l.Limiter.Peek(ctx, r, key)
}

func (l *brokenLimiter) Reset(ctx context.Context, r ratelimit.Rule, key string) error {
	if l.reset {
		return errLimiterDown
	}
	return l.Limiter.Reset(ctx, r, key)
}

// TestLimiterFailures: where a failing limiter stops a request (the
// limits that keep passwords from being guessed, and sign-ups) and where
// it is only logged (counting a failure after the answer is known,
// forgetting failures, and the per-route request limits, which must not
// take the API down).
func TestLimiterFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	lim := service.DefaultLimits
	lim.Routes = map[string]ratelimit.Rule{"read": {Name: "route-read", Limit: 1, Window: time.Minute}}
	svcWith := func(l *brokenLimiter) *service.Service {
		l.Limiter = ratelimit.NewMemory(time.Now)
		svc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Limiter: l, Limits: &lim,
			PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	const ip = "203.0.113.9"
	login := func(svc *service.Service, password, clientIP string) error {
		_, err := svc.Login(ctx, service.LoginParams{Email: "gm@example.com", Password: password, ClientIP: clientIP})
		return err
	}
	const right, wrong = "correct horse battery", "not the password"

	svc := svcWith(&brokenLimiter{allow: map[string]bool{"register-min": true}})
	if _, err := svc.Register(ctx, service.RegisterParams{Email: "late@example.com", Password: right, DisplayName: "Late", ClientIP: ip}); !errors.Is(err, errLimiterDown) {
		t.Errorf("sign-up with the limiter down = %v, want its failure", err)
	}
	if _, err := tb.st.UserByEmail(ctx, "late@example.com"); !errors.Is(err, gmc.ErrNotFound) {
		t.Errorf("account of a refused sign-up: %v, want none", err)
	}
	for _, tc := range []struct {
		name     string
		limiter  *brokenLimiter
		password string
		want     error
	}{
		{"failures unreadable", &brokenLimiter{peek: true}, right, errLimiterDown},
		{"suspect address, account count failing", &brokenLimiter{suspect: true, allow: map[string]bool{"login-account": true}}, right, errLimiterDown},
		{"wrong password, failure count failing", &brokenLimiter{allow: map[string]bool{"login-fail": true, "login-account": true}}, wrong, gmc.ErrUnauthenticated},
		{"right password, forgetting failures failing", &brokenLimiter{reset: true}, right, nil},
	} {
		if err := login(svcWith(tc.limiter), tc.password, ip); !errors.Is(err, tc.want) {
			t.Errorf("%s: login = %v, want %v", tc.name, err, tc.want)
		}
	}
	// Fetches from D&D Beyond are limited per account: with the limiter
	// down none is made.
	l := &brokenLimiter{allow: map[string]bool{"dndbeyond-min": true}, Limiter: ratelimit.NewMemory(time.Now)}
	ddb := newDDBStub()
	ddbSvc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Limiter: l, DndBeyond: ddb,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ddbSvc.ImportDndBeyond(ctx, tb.gm.ID, service.DndBeyondImport{CampaignID: tb.campaign.ID, DndBeyondID: 42}); !errors.Is(err, errLimiterDown) || ddb.times(42) != 0 {
		t.Errorf("import with the limiter down = %v, D&D Beyond asked %d times; want the limiter's failure and no fetch", err, ddb.times(42))
	}

	// An address that does not parse is still limited, under its text.
	svc = svcWith(&brokenLimiter{})
	for range lim.LoginAddress.Limit {
		_ = login(svc, wrong, "somewhere")
	}
	var rl *gmc.RateLimitError
	if err := login(svc, right, "somewhere"); !errors.As(err, &rl) {
		t.Errorf("login after %d from one unparsed address = %v, want rate limited", lim.LoginAddress.Limit, err)
	}

	// Route limits: a failing limiter lets requests through; a working
	// one refuses past the limit.
	svc = svcWith(&brokenLimiter{allow: map[string]bool{"route-read": true}})
	for range 3 {
		if err := svc.AllowRequest(ctx, "read", tb.gm.ID); err != nil {
			t.Errorf("request with the route limiter down = %v, want allowed", err)
		}
	}
	svc = svcWith(&brokenLimiter{})
	_ = svc.AllowRequest(ctx, "read", tb.gm.ID)
	if err := svc.AllowRequest(ctx, "read", tb.gm.ID); !errors.As(err, &rl) {
		t.Errorf("second request over a limit of 1 = %v, want rate limited", err)
	}
}
