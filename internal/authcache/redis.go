package authcache

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

const receiveRetry = 200 * time.Millisecond

// Redis is a Memory cache per instance whose Forget reaches every instance
// sharing the Redis server and key prefix, through pub/sub.
type Redis struct {
	*Memory
	client  *redis.Client
	channel string
	log     *slog.Logger
	pubsub  *redis.PubSub
	done    chan struct{}
}

// RedisOpts configures NewRedis.
type RedisOpts struct {
	// KeyPrefix starts the name of the pub/sub channel ("gmc:").
	KeyPrefix string
	// TTL and Now are those of NewMemory.
	TTL    time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// NewRedis subscribes to the invalidation channel and returns once the
// subscription is confirmed, so that no Forget published afterwards is
// missed. Close ends the subscription.
func NewRedis(ctx context.Context, client *redis.Client, opts RedisOpts) (*Redis, error) {
	r := &Redis{
		Memory:  NewMemory(opts.TTL, opts.Now),
		client:  client,
		channel: opts.KeyPrefix + "authcache:forget",
		log:     opts.Logger,
		done:    make(chan struct{}),
	}
	if r.log == nil {
		r.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r.pubsub = client.Subscribe(ctx, r.channel)
	if _, err := r.pubsub.Receive(ctx); err != nil {
		r.pubsub.Close()
		return nil, err
	}
	go r.listen()
	return r, nil
}

// listen applies the Forgets of every instance. go-redis re-subscribes
// after a lost connection; Forgets published meanwhile are lost, so each
// (re)subscription confirmation drops the whole cache.
func (r *Redis) listen() {
	defer close(r.done)
	for {
		msg, err := r.pubsub.Receive(context.Background())
		if errors.Is(err, redis.ErrClosed) {
			return
		} else if err != nil {
			// go-redis reconnects on the next Receive; the pause keeps an
			// unreachable server from turning this loop into a busy one.
			time.Sleep(receiveRetry)
			continue
		}
		switch m := msg.(type) {
		case *redis.Message:
			r.Memory.Forget(context.Background(), m.Payload)
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				r.forgetAll()
			}
		}
	}
}

// Forget drops the account's entry here at once and on the other instances
// through Redis. A failed publish is logged, not returned: the write that
// called Forget has committed, and the other instances' entries expire
// within TTL anyway.
func (r *Redis) Forget(ctx context.Context, userID string) {
	r.Memory.Forget(ctx, userID)
	if err := r.client.Publish(ctx, r.channel, userID).Err(); err != nil {
		r.log.Warn("authcache: publish to Redis failed; other instances may accept this account's ended tokens until their entries expire",
			slog.String("user_id", userID), slog.Any("error", err))
	}
}

// Close ends the subscription.
func (r *Redis) Close() error {
	err := r.pubsub.Close()
	<-r.done
	return err
}
