// Package ratelimit counts attempts per key in sliding windows, in process
// memory for a single instance or in Redis when several gmc instances
// share the load and must share the counts.
//
// A Rule names a counter and sets its limit and window; the caller picks
// the rules and keys. Every implementation passes the one conformance
// suite in ratelimit/limitertest.
//
// The login policy built on it (service.Limits) counts per address, per
// (account, address) failures, and per account failures; the per-account
// limit is charged, and can refuse, only an address that has itself failed
// for that account several times. A clean address never meets it, so a
// correct password from an address that has not been guessing always gets
// in, and a stranger's guesses, from one address or many, cannot lock the
// owner out. The other choice, checking the password first and letting a
// correct one from a clean address bypass a full account limit, would run
// argon2id for every refused guess and answer "right password" to guessers
// on fresh addresses just the same; charging suspects up front also keeps
// parallel guesses from overrunning the account limit.
//
// With Redis configured, counts live there under GMC_REDIS_PREFIX + "rl:"
// and every instance shares them. When Redis fails, Failover counts in
// the instance's memory (logged once; /readyz reports Redis): limits stay
// enforced per instance rather than failing open or locking everyone out.
package ratelimit

import (
	"context"
	"time"
)

// Rule is one limit: at most Limit attempts per key within any Window.
// Name separates counters: the same key under two rules counts twice.
type Rule struct {
	Name   string
	Limit  int
	Window time.Duration
}

// Decision is what a limiter knows about one key under one rule.
type Decision struct {
	// Allowed reports whether the attempt is (or would be) within the limit.
	Allowed bool
	// Count is the number of attempts in the window, after Allow recorded one.
	Count int
	// RetryAfter is how long until an attempt would be allowed again; zero
	// when Allowed.
	RetryAfter time.Duration
}

// Limiter keeps sliding-window counts. Refused attempts are not recorded,
// so a key that keeps trying while refused is let through at the rule's
// rate, never faster.
type Limiter interface {
	// Allow records an attempt under key when it is within rule's limit.
	Allow(ctx context.Context, rule Rule, key string) (Decision, error)
	// Peek reports what Allow would decide, recording nothing.
	Peek(ctx context.Context, rule Rule, key string) (Decision, error)
	// Reset forgets every attempt under key for rule.
	Reset(ctx context.Context, rule Rule, key string) error
}

// limit is at least 1: a rule that allows nothing would lock a key out
// for good and has no window to wait for.
func (r Rule) limit() int { return max(r.Limit, 1) }
