package httpapi_test

import (
	"fmt"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gmc-project/gmc/internal/ratelimit"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/testenv"
)

// limiters are the counting backends the rate-limit tests run on.
var limiters = []struct {
	name string
	open func(t *testing.T, now func() time.Time) ratelimit.Limiter
}{
	{"memory", func(t *testing.T, now func() time.Time) ratelimit.Limiter { return ratelimit.NewMemory(now) }},
	{"redis", func(t *testing.T, now func() time.Time) ratelimit.Limiter {
		opts, err := redis.ParseURL(testenv.RedisURL(t))
		if err != nil {
			t.Fatal(err)
		}
		c := redis.NewClient(opts)
		t.Cleanup(func() { c.Close() })
		return ratelimit.NewRedis(c, ratelimit.RedisOpts{KeyPrefix: testenv.RedisPrefix(t), Now: now})
	}},
}

// limitedServer is a server on every backend and limiter whose clients
// speak for any address through X-Forwarded-For.
func forEachLimitedServer(t *testing.T, test func(t *testing.T, c *client, clock *fakeClock)) {
	for _, b := range backends {
		for _, l := range limiters {
			t.Run(b.name+"/"+l.name, func(t *testing.T) {
				t.Parallel()
				clock := &fakeClock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
				c := newServer(t, b.open, serverOpts{
					now:            clock.Now,
					limiter:        l.open(t, clock.Now),
					trustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")},
				})
				test(t, c, clock)
			})
		}
	}
}

func from(addr string) []string { return []string{"X-Forwarded-For", addr} }

func login(c *client, email, password, addr string) response {
	c.t.Helper()
	return c.do("POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": password}, from(addr)...)
}

const ownerPassword = "correct horse battery"

func register(c *client, email, addr string) response {
	c.t.Helper()
	return c.do("POST", "/api/v1/auth/register", "", map[string]any{"email": email, "password": ownerPassword, "display_name": "Owner"}, from(addr)...)
}

// wantLimited checks a 429 is a problem with a usable Retry-After.
func wantLimited(t *testing.T, what string, r response) {
	t.Helper()
	if r.status != 429 {
		t.Fatalf("%s = %d %s, want 429", what, r.status, r.raw)
	}
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("%s: Retry-After = %q, want whole seconds ≥ 1", what, r.header.Get("Retry-After"))
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" || r.str("code") != "rate_limited" {
		t.Errorf("%s: %s %s, want a problem+json rate_limited", what, ct, r.raw)
	}
}

// TestLoginStrangerCannotLockOwnerOut: an address that fails a thousand
// times for an account is stopped, and the owner still logs in from theirs.
func TestLoginStrangerCannotLockOwnerOut(t *testing.T) {
	t.Parallel()
	forEachLimitedServer(t, func(t *testing.T, c *client, _ *fakeClock) {
		const owner, home, attacker = "owner@example.com", "198.51.100.10", "203.0.113.66"
		if r := register(c, owner, home); r.status != 201 {
			t.Fatalf("register = %d %s", r.status, r.raw)
		}
		wrong, limited := 0, 0
		for i := range 1000 {
			r := login(c, owner, fmt.Sprintf("guess %d", i), attacker)
			switch r.status {
			case 401:
				wrong++
			case 429:
				if limited == 0 {
					wantLimited(t, "attacker", r)
				}
				limited++
			default:
				t.Fatalf("guess %d = %d %s", i, r.status, r.raw)
			}
		}
		if pair := service.DefaultLimits.LoginPair.Limit; wrong != pair || limited != 1000-pair {
			t.Errorf("attacker got %d answers to guesses and %d refusals, want %d and %d", wrong, limited, pair, 1000-pair)
		}
		wantLimited(t, "attacker with the right password", login(c, owner, ownerPassword, attacker))
		for i := range 3 {
			if r := login(c, owner, ownerPassword, home); r.status != 200 {
				t.Fatalf("owner's login %d from home = %d %s, want 200", i+1, r.status, r.raw)
			}
		}
		// The owner's typos do not make their own address a suspect.
		for range service.DefaultLimits.SuspectAfter - 1 {
			if r := login(c, owner, "typo", "2001:db8:5::1"); r.status != 401 {
				t.Fatalf("owner's typo = %d %s, want 401", r.status, r.raw)
			}
		}
		if r := login(c, owner, ownerPassword, "2001:db8:5::1"); r.status != 200 {
			t.Fatalf("owner after typos = %d %s, want 200", r.status, r.raw)
		}
	})
}

// TestLoginGuessingSpreadOverAddresses: guesses from many addresses are
// slowed by the per-account limit, which stops only the guessing
// addresses, never a clean one.
func TestLoginGuessingSpreadOverAddresses(t *testing.T) {
	t.Parallel()
	forEachLimitedServer(t, func(t *testing.T, c *client, clock *fakeClock) {
		const owner, addresses, tries = "owner@example.com", 30, 10
		lim := service.DefaultLimits
		if r := register(c, owner, "198.51.100.10"); r.status != 201 {
			t.Fatalf("register = %d %s", r.status, r.raw)
		}
		guesses, limited := 0, 0
		for a := range addresses {
			for i := range tries {
				r := login(c, owner, fmt.Sprintf("guess %d", i), fmt.Sprintf("203.0.113.%d", a+1))
				switch r.status {
				case 401:
					guesses++
				case 429:
					limited++
				default:
					t.Fatalf("guess = %d %s", r.status, r.raw)
				}
			}
		}
		// Without the account limit each address would get LoginPair.Limit guesses.
		if most := addresses*lim.SuspectAfter + lim.LoginAccount.Limit; guesses > most {
			t.Errorf("%d addresses got %d guesses, want at most %d", addresses, guesses, most)
		}
		if limited == 0 {
			t.Error("no guess was refused")
		}
		wantLimited(t, "a guessing address", login(c, owner, "once more", "203.0.113.1"))
		if r := login(c, owner, ownerPassword, "198.51.100.99"); r.status != 200 {
			t.Fatalf("owner from a clean address = %d %s, want 200", r.status, r.raw)
		}
		// Guessing from many addresses does not limit other accounts.
		if r := register(c, "other@example.com", "198.51.100.11"); r.status != 201 {
			t.Fatalf("register other = %d %s", r.status, r.raw)
		}
		if r := login(c, "other@example.com", ownerPassword, "203.0.113.1"); r.status != 200 {
			t.Errorf("another account from a guessing address = %d %s, want 200", r.status, r.raw)
		}
		clock.Advance(lim.LoginPair.Window)
		if r := login(c, owner, "later", "203.0.113.1"); r.status != 401 {
			t.Errorf("guess a window later = %d %s, want 401 (counted again)", r.status, r.raw)
		}
	})
}

// TestRegisterRateLimit: one address registers a few accounts a minute and
// a few dozen an hour, not seventy in three seconds.
func TestRegisterRateLimit(t *testing.T) {
	t.Parallel()
	forEachLimitedServer(t, func(t *testing.T, c *client, clock *fakeClock) {
		perMinute, perHour := service.DefaultLimits.Register[0].Limit, service.DefaultLimits.Register[1].Limit
		n := 0
		next := func() string { n++; return fmt.Sprintf("user%d@example.com", n) }
		for range perMinute {
			if r := register(c, next(), "203.0.113.5"); r.status != 201 {
				t.Fatalf("registration %d = %d %s", n, r.status, r.raw)
			}
		}
		wantLimited(t, "registration past the minute's limit", register(c, next(), "203.0.113.5"))
		if r := register(c, next(), "203.0.113.6"); r.status != 201 {
			t.Errorf("registration from another address = %d %s", r.status, r.raw)
		}
		// Over the hour, the address gets perHour accounts in all.
		created := perMinute
		for range perHour / perMinute {
			clock.Advance(time.Minute)
			for range perMinute {
				if r := register(c, next(), "203.0.113.5"); r.status == 201 {
					created++
				} else if r.status != 429 {
					t.Fatalf("registration = %d %s", r.status, r.raw)
				}
			}
		}
		if created != perHour {
			t.Errorf("one address registered %d accounts within the hour, want %d", created, perHour)
		}
		wantLimited(t, "registration past the hour's limit", register(c, next(), "203.0.113.5"))
	})
}

// TestAcceptInviteRateLimit: invite codes cannot be tried fast from one address.
func TestAcceptInviteRateLimit(t *testing.T) {
	t.Parallel()
	forEachLimitedServer(t, func(t *testing.T, c *client, _ *fakeClock) {
		if r := register(c, "player@example.com", "198.51.100.10"); r.status != 201 {
			t.Fatalf("register = %d", r.status)
		}
		token := login(c, "player@example.com", ownerPassword, "198.51.100.10").str("access_token")
		accept := func(code, addr string) response {
			return c.do("POST", "/api/v1/invites/"+code+"/accept", token, nil, from(addr)...)
		}
		limit := service.DefaultLimits.AcceptInvite[0].Limit
		for i := range limit {
			if r := accept(fmt.Sprintf("GUESS%d", i), "203.0.113.5"); r.status != 404 {
				t.Fatalf("guess %d = %d %s, want 404", i, r.status, r.raw)
			}
		}
		wantLimited(t, "guess past the limit", accept("GUESSMORE", "203.0.113.5"))
		if r := accept("GUESSMORE", "203.0.113.6"); r.status != 404 {
			t.Errorf("guess from another address = %d, want 404", r.status)
		}
	})
}

// TestLoginIPv6HostCountsAsOne: addresses of one IPv6 /64 (what one host
// or home usually gets) count as one address, so rotating through them
// buys no guesses.
func TestLoginIPv6HostCountsAsOne(t *testing.T) {
	t.Parallel()
	forEachLimitedServer(t, func(t *testing.T, c *client, _ *fakeClock) {
		if r := register(c, "owner@example.com", "198.51.100.10"); r.status != 201 {
			t.Fatalf("register = %d", r.status)
		}
		limit := service.DefaultLimits.LoginPair.Limit
		for i := range limit {
			if r := login(c, "owner@example.com", "guess", fmt.Sprintf("2001:db8:66:1::%x", i+1)); r.status != 401 {
				t.Fatalf("guess %d = %d %s", i+1, r.status, r.raw)
			}
		}
		wantLimited(t, "guess from a fresh address of the same /64", login(c, "owner@example.com", "guess", "2001:db8:66:1:ffff::1"))
		if r := login(c, "owner@example.com", ownerPassword, "2001:db8:66:2::1"); r.status != 200 {
			t.Errorf("owner from the next /64 = %d %s, want 200", r.status, r.raw)
		}
	})
}
