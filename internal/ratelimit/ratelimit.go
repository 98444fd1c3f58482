// Package ratelimit counts attempts per key in sliding windows, in process
// memory for a single instance or in Redis when several gmc instances
// share the load and must share the counts.
//
// A Rule names a counter and sets its limit and window; the caller picks
// the rules and keys (the login policy that uses them is in package
// service). Every implementation passes the one conformance suite in
// ratelimit/limitertest.
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
