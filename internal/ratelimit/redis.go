package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a sliding-window limiter whose counts live in Redis, so every
// instance on the same Redis and prefix sees the same counts. Each key is
// a sorted set of attempt times (at most Limit members) that expires with
// its window; one Lua script trims, counts and records atomically.
type Redis struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
}

// RedisOpts configures a Redis limiter.
type RedisOpts struct {
	// KeyPrefix starts every key the limiter writes.
	KeyPrefix string
	// Now defaults to the wall clock. Instances pass their own clock, so
	// their clocks should agree (NTP) to within a small part of a window.
	Now func() time.Time
}

// NewRedis returns a limiter on client; the client stays the caller's.
func NewRedis(client redis.UniversalClient, opts RedisOpts) *Redis {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Redis{client: client, prefix: opts.KeyPrefix, now: opts.Now}
}

// slidingWindow trims attempts at or before ARGV[2] (now minus the window),
// and records one at ARGV[1] when ARGV[6] is "1" and the count is under the
// limit. Times are microseconds. Times go to Redis as the strings the
// caller formatted: Lua would print a number this large with 14 digits.
// It returns {allowed, count, retry_after_us}.
var slidingWindow = redis.NewScript(`
local key = KEYS[1]
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[2])
local n = redis.call('ZCARD', key)
if n >= limit then
  local oldest = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
  return {0, n, tonumber(oldest[2]) + window - now}
end
if ARGV[6] == '1' then
  redis.call('ZADD', key, ARGV[1], ARGV[5])
  redis.call('PEXPIRE', key, math.ceil(window / 1000))
  n = n + 1
end
return {1, n, 0}
`)

// Allow implements Limiter.
func (l *Redis) Allow(ctx context.Context, rule Rule, key string) (Decision, error) {
	return l.decide(ctx, rule, key, true)
}

// Peek implements Limiter.
func (l *Redis) Peek(ctx context.Context, rule Rule, key string) (Decision, error) {
	return l.decide(ctx, rule, key, false)
}

// Reset implements Limiter.
func (l *Redis) Reset(ctx context.Context, rule Rule, key string) error {
	if err := l.client.Del(ctx, l.key(rule, key)).Err(); err != nil {
		return fmt.Errorf("ratelimit: redis: %w", err)
	}
	return nil
}

func (l *Redis) key(rule Rule, key string) string { return l.prefix + rule.Name + ":" + key }

func (l *Redis) decide(ctx context.Context, rule Rule, key string, record bool) (Decision, error) {
	now := l.now().UnixMicro()
	flag := "0"
	if record {
		flag = "1"
	}
	window := rule.Window.Microseconds()
	res, err := slidingWindow.Run(ctx, l.client, []string{l.key(rule, key)},
		strconv.FormatInt(now, 10), strconv.FormatInt(now-window, 10), window, rule.limit(), member(now), flag).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(res) != 3 {
		return Decision{}, fmt.Errorf("ratelimit: redis: script returned %d values, want 3", len(res))
	}
	return Decision{Allowed: res[0] == 1, Count: int(res[1]), RetryAfter: time.Duration(res[2]) * time.Microsecond}, nil
}

// member makes attempts at the same microsecond distinct set members.
func member(nowMicro int64) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%d-%s", nowMicro, hex.EncodeToString(b))
}
