package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	key := r.prefix + scope
	gen, err := r.client.Get(ctx, key).Result()
	if !errors.Is(err, redis.Nil) {
		return gen, err
	}
	// Several readers may start one at once: NX keeps the first, GET
	// tells the others which it is.
	fresh := newToken()
	old, err := r.client.SetArgs(ctx, key, fresh, redis.SetArgs{Mode: "NX", Get: true, TTL: r.ttl}).Result()
	if errors.Is(err, redis.Nil) {
		return fresh, nil
	}
	return old, err
}

// Bump gives the scope a new generation.
func (r *Redis) Bump(ctx context.Context, scope string) error {
	return r.client.Set(ctx, r.prefix+scope, newToken(), r.ttl).Err()
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
