package ratelimit_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gmc-project/gmc/internal/ratelimit"
	"github.com/gmc-project/gmc/internal/ratelimit/limitertest"
	"github.com/gmc-project/gmc/internal/testenv"
)

func redisClient(t *testing.T) *redis.Client { return redisClientB(t) }

func redisClientB(t testing.TB) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRedisContract(t *testing.T) {
	t.Parallel()
	limitertest.Run(t, func(t *testing.T, now func() time.Time) ratelimit.Limiter {
		return ratelimit.NewRedis(redisClient(t), ratelimit.RedisOpts{KeyPrefix: testenv.RedisPrefix(t), Now: now})
	})
}

// TestRedisInstancesShareCounts: limiters of two instances (own clients, one
// Redis and prefix) count together; another prefix counts apart.
func TestRedisInstancesShareCounts(t *testing.T) {
	t.Parallel()
	prefix := testenv.RedisPrefix(t)
	clock := limitertest.NewClock()
	a := ratelimit.NewRedis(redisClient(t), ratelimit.RedisOpts{KeyPrefix: prefix, Now: clock.Now})
	b := ratelimit.NewRedis(redisClient(t), ratelimit.RedisOpts{KeyPrefix: prefix, Now: clock.Now})
	other := ratelimit.NewRedis(redisClient(t), ratelimit.RedisOpts{KeyPrefix: testenv.RedisPrefix(t), Now: clock.Now})
	rule := ratelimit.Rule{Name: "login", Limit: 4, Window: time.Minute}
	ctx := context.Background()
	for i, l := range []ratelimit.Limiter{a, b, a, b} {
		if d, err := l.Allow(ctx, rule, "k"); err != nil || !d.Allowed || d.Count != i+1 {
			t.Fatalf("attempt %d = %+v, %v; want allowed, count %d", i+1, d, err, i+1)
		}
	}
	for name, l := range map[string]ratelimit.Limiter{"a": a, "b": b} {
		if d, _ := l.Allow(ctx, rule, "k"); d.Allowed {
			t.Errorf("instance %s allowed a 5th attempt", name)
		}
	}
	if d, _ := other.Allow(ctx, rule, "k"); !d.Allowed {
		t.Error("a limiter under another prefix saw the counts")
	}
}

// TestRedisKeysExpire: counts live under the prefix and expire with their
// window, so Redis does not fill up with old keys.
func TestRedisKeysExpire(t *testing.T) {
	t.Parallel()
	c, prefix := redisClient(t), testenv.RedisPrefix(t)
	l := ratelimit.NewRedis(c, ratelimit.RedisOpts{KeyPrefix: prefix})
	rule := ratelimit.Rule{Name: "register", Limit: 5, Window: 90 * time.Second}
	if _, err := l.Allow(context.Background(), rule, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	keys, err := c.Keys(context.Background(), prefix+"*").Result()
	if err != nil || len(keys) != 1 || keys[0] != prefix+"register:198.51.100.7" {
		t.Fatalf("keys = %v, %v; want the one counter under the prefix", keys, err)
	}
	if ttl := c.PTTL(context.Background(), keys[0]).Val(); ttl <= 0 || ttl > 90*time.Second {
		t.Errorf("TTL = %v, want (0, 90s]", ttl)
	}
}

// deadRedis is a client of a port nothing listens on, failing fast.
func deadRedis(t *testing.T) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	return c
}

// TestFailoverContract: with Redis down, the failover limiter still
// enforces every rule (in memory): an outage is no way around the limits.
func TestFailoverContract(t *testing.T) {
	t.Parallel()
	limitertest.Run(t, func(t *testing.T, now func() time.Time) ratelimit.Limiter {
		return ratelimit.NewFailover(ratelimit.NewRedis(deadRedis(t), ratelimit.RedisOpts{Now: now}), ratelimit.NewMemory(now), nil)
	})
}

// syncBuffer is a log destination the limiter may write from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFailoverLogsOutageOnce: many attempts during an outage give one
// warning, and Redis answering again gives one line and its counts back.
func TestFailoverLogsOutageOnce(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	live := ratelimit.NewRedis(redisClient(t), ratelimit.RedisOpts{KeyPrefix: testenv.RedisPrefix(t)})
	primary := &switchable{Limiter: ratelimit.NewRedis(deadRedis(t), ratelimit.RedisOpts{})}
	f := ratelimit.NewFailover(primary, ratelimit.NewMemory(nil), log)
	rule := ratelimit.Rule{Name: "login", Limit: 3, Window: time.Minute}
	ctx := context.Background()
	for i := range 5 {
		d, err := f.Allow(ctx, rule, "k")
		if err != nil || d.Allowed != (i < 3) {
			t.Fatalf("attempt %d during the outage = %+v, %v; want allowed only for the first 3", i+1, d, err)
		}
	}
	if n := strings.Count(logs.String(), "Redis failed"); n != 1 {
		t.Errorf("outage logged %d times, want once:\n%s", n, logs.String())
	}

	primary.set(live)
	time.Sleep(ratelimit.ProbeEvery + 50*time.Millisecond)
	if d, err := f.Allow(ctx, rule, "k"); err != nil || !d.Allowed || d.Count != 1 {
		t.Errorf("first attempt after recovery = %+v, %v; want counted in Redis (count 1)", d, err)
	}
	if n := strings.Count(logs.String(), "Redis answers again"); n != 1 {
		t.Errorf("recovery logged %d times, want once:\n%s", n, logs.String())
	}
}

// switchable is a limiter whose backend the test swaps, as Redis coming back.
type switchable struct {
	mu sync.Mutex
	ratelimit.Limiter
}

func (s *switchable) set(l ratelimit.Limiter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Limiter = l
}

func (s *switchable) get() ratelimit.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Limiter
}

func (s *switchable) Allow(ctx context.Context, r ratelimit.Rule, k string) (ratelimit.Decision, error) {
	return s.get().Allow(ctx, r, k)
}

func (s *switchable) Peek(ctx context.Context, r ratelimit.Rule, k string) (ratelimit.Decision, error) {
	return s.get().Peek(ctx, r, k)
}

func (s *switchable) Reset(ctx context.Context, r ratelimit.Rule, k string) error {
	return s.get().Reset(ctx, r, k)
}
