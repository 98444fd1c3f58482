package ratelimit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Failover counts in a primary limiter (Redis) and, while that fails, in a
// local one (process memory), so logins keep working during a Redis
// outage. It is not an open door: every instance still enforces every
// rule, only alone, so N instances let through at most N times the limit
// until Redis answers again. Refusing every login instead would turn a
// Redis outage into a lock-out of every user. The first failure and the
// recovery are logged once each; /readyz reports Redis itself. While
// Redis is down it is asked again at most once per ProbeEvery, so logins
// do not each wait for a failing connection.
type Failover struct {
	primary, local Limiter
	log            *slog.Logger
	down           atomic.Bool
	// probeAt is when (Unix nanoseconds) a down primary is next asked.
	probeAt atomic.Int64
}

// ProbeEvery is how often a failed primary is tried again.
const ProbeEvery = time.Second

// NewFailover returns a limiter that prefers primary and falls back to local.
func NewFailover(primary, local Limiter, log *slog.Logger) *Failover {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Failover{primary: primary, local: local, log: log}
}

// Allow implements Limiter.
func (f *Failover) Allow(ctx context.Context, rule Rule, key string) (Decision, error) {
	if f.skipPrimary() {
		return f.local.Allow(ctx, rule, key)
	}
	d, err := f.primary.Allow(ctx, rule, key)
	if f.failed(ctx, err) {
		return f.local.Allow(ctx, rule, key)
	}
	return d, err
}

// Peek implements Limiter.
func (f *Failover) Peek(ctx context.Context, rule Rule, key string) (Decision, error) {
	if f.skipPrimary() {
		return f.local.Peek(ctx, rule, key)
	}
	d, err := f.primary.Peek(ctx, rule, key)
	if f.failed(ctx, err) {
		return f.local.Peek(ctx, rule, key)
	}
	return d, err
}

// Reset implements Limiter. It resets both, so counts made locally during
// an outage do not outlive a reset made after it.
func (f *Failover) Reset(ctx context.Context, rule Rule, key string) error {
	lerr := f.local.Reset(ctx, rule, key)
	if f.skipPrimary() {
		return lerr
	}
	err := f.primary.Reset(ctx, rule, key)
	if f.failed(ctx, err) {
		return lerr
	}
	return err
}

// failed reports whether the primary failed (rather than the caller giving
// up), logging the change between working and failing.
func (f *Failover) failed(ctx context.Context, err error) bool {
	if err == nil {
		if f.down.CompareAndSwap(true, false) {
			f.log.Info("rate limits: Redis answers again; counting there")
		}
		return false
	}
	if ctx.Err() != nil {
		return false
	}
	f.probeAt.Store(time.Now().Add(ProbeEvery).UnixNano())
	if f.down.CompareAndSwap(false, true) {
		f.log.Warn("rate limits: Redis failed; counting in this instance alone until it answers", slog.Any("error", err))
	}
	return true
}

// skipPrimary reports whether the primary is down and not yet due a probe.
func (f *Failover) skipPrimary() bool {
	return f.down.Load() && time.Now().UnixNano() < f.probeAt.Load()
}
