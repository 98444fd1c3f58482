// Package limitertest is the one conformance suite for ratelimit.Limiter
// implementations. Each backend's tests call Run with a constructor; a
// behaviour added to one limiter comes with a case here, so all keep it.
package limitertest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/ratelimit"
)

// NewLimiterFunc returns a fresh, empty limiter for one test that reads
// the time from now, and arranges for its data to be removed afterwards.
type NewLimiterFunc func(t *testing.T, now func() time.Time) ratelimit.Limiter

// Run runs every case against limiters made by newLimiter, in parallel.
func Run(t *testing.T, newLimiter NewLimiterFunc) {
	t.Helper()
	cases := map[string]func(*testing.T, NewLimiterFunc){
		"SlidingWindow":        testSlidingWindow,
		"RefusedNotRecorded":   testRefusedNotRecorded,
		"PeekRecordsNothing":   testPeekRecordsNothing,
		"Reset":                testReset,
		"KeysAndRulesApart":    testKeysAndRulesApart,
		"ConcurrentAttempts":   testConcurrentAttempts,
		"RetryAfterLongWindow": testRetryAfterLongWindow,
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newLimiter)
		})
	}
}

// Clock is a settable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at a fixed time, whole milliseconds.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var ctx = context.Background()

func allow(t *testing.T, l ratelimit.Limiter, r ratelimit.Rule, key string) ratelimit.Decision {
	t.Helper()
	d, err := l.Allow(ctx, r, key)
	if err != nil {
		t.Fatalf("Allow(%s, %q) = %v", r.Name, key, err)
	}
	return d
}

func peek(t *testing.T, l ratelimit.Limiter, r ratelimit.Rule, key string) ratelimit.Decision {
	t.Helper()
	d, err := l.Peek(ctx, r, key)
	if err != nil {
		t.Fatalf("Peek(%s, %q) = %v", r.Name, key, err)
	}
	return d
}

func want(t *testing.T, what string, got, want ratelimit.Decision) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

var threePerMinute = ratelimit.Rule{Name: "three", Limit: 3, Window: time.Minute}

// testSlidingWindow: the limit holds over any window, and an attempt
// exactly one window old no longer counts.
func testSlidingWindow(t *testing.T, newLimiter NewLimiterFunc) {
	clock := NewClock()
	l := newLimiter(t, clock.Now)
	for i := range 3 {
		want(t, "attempt", allow(t, l, threePerMinute, "k"), ratelimit.Decision{Allowed: true, Count: i + 1})
		clock.Advance(10 * time.Second)
	}
	want(t, "4th attempt at 30s", allow(t, l, threePerMinute, "k"), ratelimit.Decision{Count: 3, RetryAfter: 30 * time.Second})
	clock.Advance(29*time.Second + 999*time.Millisecond)
	want(t, "attempt 1ms before the first leaves", allow(t, l, threePerMinute, "k"), ratelimit.Decision{Count: 3, RetryAfter: time.Millisecond})
	clock.Advance(time.Millisecond)
	want(t, "attempt as the first leaves", allow(t, l, threePerMinute, "k"), ratelimit.Decision{Allowed: true, Count: 3})
	want(t, "next attempt", allow(t, l, threePerMinute, "k"), ratelimit.Decision{Count: 3, RetryAfter: 10 * time.Second})
}

// testRefusedNotRecorded: hammering a full key does not push its opening
// further away.
func testRefusedNotRecorded(t *testing.T, newLimiter NewLimiterFunc) {
	clock := NewClock()
	l := newLimiter(t, clock.Now)
	for range 3 {
		allow(t, l, threePerMinute, "k")
	}
	for range 20 {
		clock.Advance(2 * time.Second)
		if d := allow(t, l, threePerMinute, "k"); d.Allowed {
			t.Fatalf("attempt while full allowed: %+v", d)
		}
	}
	clock.Advance(20 * time.Second)
	want(t, "attempt one window after the first", allow(t, l, threePerMinute, "k"), ratelimit.Decision{Allowed: true, Count: 1})
}

// testPeekRecordsNothing: Peek answers what Allow would, without counting.
func testPeekRecordsNothing(t *testing.T, newLimiter NewLimiterFunc) {
	clock := NewClock()
	l := newLimiter(t, clock.Now)
	want(t, "Peek of an unknown key", peek(t, l, threePerMinute, "k"), ratelimit.Decision{Allowed: true})
	for range 10 {
		peek(t, l, threePerMinute, "k")
	}
	want(t, "Allow after peeks", allow(t, l, threePerMinute, "k"), ratelimit.Decision{Allowed: true, Count: 1})
	want(t, "Peek after one", peek(t, l, threePerMinute, "k"), ratelimit.Decision{Allowed: true, Count: 1})
	clock.Advance(15 * time.Second)
	allow(t, l, threePerMinute, "k")
	allow(t, l, threePerMinute, "k")
	want(t, "Peek when full", peek(t, l, threePerMinute, "k"), ratelimit.Decision{Count: 3, RetryAfter: 45 * time.Second})
}

// testReset: a reset key starts again; other keys keep their counts.
func testReset(t *testing.T, newLimiter NewLimiterFunc) {
	clock := NewClock()
	l := newLimiter(t, clock.Now)
	for range 3 {
		allow(t, l, threePerMinute, "k")
		allow(t, l, threePerMinute, "other")
	}
	if err := l.Reset(ctx, threePerMinute, "k"); err != nil {
		t.Fatal(err)
	}
	want(t, "Allow after Reset", allow(t, l, threePerMinute, "k"), ratelimit.Decision{Allowed: true, Count: 1})
	if d := allow(t, l, threePerMinute, "other"); d.Allowed {
		t.Errorf("another key allowed after Reset of k: %+v", d)
	}
	if err := l.Reset(ctx, threePerMinute, "never seen"); err != nil {
		t.Errorf("Reset of an unknown key = %v", err)
	}
}

// testKeysAndRulesApart: keys count apart, and so does one key under two rules.
func testKeysAndRulesApart(t *testing.T, newLimiter NewLimiterFunc) {
	l := newLimiter(t, NewClock().Now)
	oneAnHour := ratelimit.Rule{Name: "hourly", Limit: 1, Window: time.Hour}
	allow(t, l, oneAnHour, "k")
	if d := allow(t, l, oneAnHour, "k"); d.Allowed {
		t.Errorf("second attempt under a limit of 1 allowed: %+v", d)
	}
	want(t, "same key, other rule", allow(t, l, threePerMinute, "k"), ratelimit.Decision{Allowed: true, Count: 1})
	want(t, "other key, same rule", allow(t, l, oneAnHour, "k2"), ratelimit.Decision{Allowed: true, Count: 1})
	want(t, "key with odd characters", allow(t, l, oneAnHour, "ünï|cødé:{x}*"), ratelimit.Decision{Allowed: true, Count: 1})
}

// testConcurrentAttempts: attempts racing for the last places never
// exceed the limit (as instances behind a load balancer would race).
func testConcurrentAttempts(t *testing.T, newLimiter NewLimiterFunc) {
	l := newLimiter(t, NewClock().Now)
	rule := ratelimit.Rule{Name: "race", Limit: 10, Window: time.Minute}
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			d, err := l.Allow(ctx, rule, "k")
			if err != nil {
				t.Error(err)
			}
			if d.Allowed {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 10 {
		t.Errorf("%d of 50 concurrent attempts allowed, want exactly 10", n)
	}
}

// testRetryAfterLongWindow: hour-long windows keep their exact times.
func testRetryAfterLongWindow(t *testing.T, newLimiter NewLimiterFunc) {
	clock := NewClock()
	l := newLimiter(t, clock.Now)
	rule := ratelimit.Rule{Name: "hourly", Limit: 2, Window: time.Hour}
	allow(t, l, rule, "k")
	clock.Advance(17*time.Minute + 3*time.Millisecond)
	allow(t, l, rule, "k")
	clock.Advance(time.Minute)
	want(t, "third attempt", allow(t, l, rule, "k"), ratelimit.Decision{Count: 2, RetryAfter: 42*time.Minute - 3*time.Millisecond})
}
