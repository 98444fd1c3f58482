package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisTTL is how long a scope's generation stays in Redis after
// its last bump.
const DefaultRedisTTL = 24 * time.Hour

// Redis holds generations in Redis, shared by every instance on the same
// server and key prefix: a read costs one GET.
//
// A generation is a random token, not a count: a key that Redis lost
// (restart without persistence, eviction, expiry) is started again with a
// new token, which no value held under the lost one can match. A count
// started again at zero would meet the values held under its old counts.
type Redis struct {
	client *redis.Client
	prefix string
	ttl    time.Duration
	// downUntil (Unix nanoseconds) is set when Redis fails: until then
	// Current fails at once (readers go to the database) instead of
	// making each request wait out the client's dial retries.
	downUntil atomic.Int64
}

// ErrRedisDown is returned while Redis is taken to be down, for
// RedisDownFor after it last failed.
var ErrRedisDown = errors.New("cache: Redis failed recently; generations unknown")

// RedisDownFor is how long Redis is left alone after it failed.
const RedisDownFor = time.Second

// redisCallTimeout bounds one call. Calls run on a context of their own,
// not the caller's: with Redis killed mid-session, generation reads sent
// on the requests' contexts made later requests of the same instance fail
// with "context canceled" (seen in TestLiveAcrossRedisRestart, cause not
// found); detached and bounded, a call fails in time and leaves the
// request alone.
const redisCallTimeout = 500 * time.Millisecond

func redisCall(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), redisCallTimeout)
}

// RedisOpts configures NewRedis.
type RedisOpts struct {
	// KeyPrefix starts every key ("gmc:").
	KeyPrefix string
	// TTL defaults to DefaultRedisTTL.
	TTL time.Duration
}

// NewRedis returns generations kept in Redis through client.
func NewRedis(client *redis.Client, opts RedisOpts) *Redis {
	r := &Redis{client: client, prefix: opts.KeyPrefix + "cache:gen:", ttl: opts.TTL}
	if r.ttl <= 0 {
		r.ttl = DefaultRedisTTL
	}
	return r
}

// Current returns the scope's generation, starting one when Redis holds
// none.
func (r *Redis) Current(ctx context.Context, scope string) (string, error) {
	if r.down() {
		return "", ErrRedisDown
	}
	ctx, cancel := redisCall(ctx)
	defer cancel()
	key := r.prefix + scope
	gen, err := r.client.Get(ctx, key).Result()
	if !errors.Is(err, redis.Nil) {
		return gen, r.note(err)
	}
	// Several readers may start one at once: NX keeps the first, GET
	// tells the others which it is.
	fresh := newToken()
	old, err := r.client.SetArgs(ctx, key, fresh, redis.SetArgs{Mode: "NX", Get: true, TTL: r.ttl}).Result()
	if errors.Is(err, redis.Nil) {
		return fresh, nil
	}
	return old, r.note(err)
}

// Bump gives the scope a new generation. It is tried even while Redis is
// taken to be down: a bump that does not land lets other instances serve
// what the write changed until it is MaxAge old.
func (r *Redis) Bump(ctx context.Context, scope string) error {
	ctx, cancel := redisCall(ctx)
	defer cancel()
	return r.note(r.client.Set(ctx, r.prefix+scope, newToken(), r.ttl).Err())
}

func (r *Redis) down() bool { return time.Now().UnixNano() < r.downUntil.Load() }

// note marks Redis down after a failure.
func (r *Redis) note(err error) error {
	if err != nil {
		r.downUntil.Store(time.Now().Add(RedisDownFor).UnixNano())
	}
	return err
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
