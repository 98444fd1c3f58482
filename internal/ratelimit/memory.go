package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory is a sliding-window limiter for a single instance.
type Memory struct {
	now func() time.Time

	mu       sync.Mutex
	counters map[counterKey]*counter
	sweptAt  time.Time
}

type counterKey struct{ rule, key string }

// counter keeps the times of the attempts in the window, oldest first.
type counter struct {
	window time.Duration
	times  []time.Time
}

// sweepEvery bounds how long idle counters stay in memory.
const sweepEvery = time.Minute

// NewMemory returns an empty limiter; now may be nil for the wall clock.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, counters: map[counterKey]*counter{}}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, rule Rule, key string) (Decision, error) {
	return m.decide(rule, key, true), nil
}

// Peek implements Limiter.
func (m *Memory) Peek(_ context.Context, rule Rule, key string) (Decision, error) {
	return m.decide(rule, key, false), nil
}

// Reset implements Limiter.
func (m *Memory) Reset(_ context.Context, rule Rule, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.counters, counterKey{rule.Name, key})
	return nil
}

func (m *Memory) decide(rule Rule, key string, record bool) Decision {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	k := counterKey{rule.Name, key}
	c := m.counters[k]
	if c == nil {
		c = &counter{}
	}
	c.window = rule.Window
	c.times = trim(c.times, now.Add(-rule.Window))
	n, limit := len(c.times), rule.limit()
	if n >= limit {
		m.keep(k, c)
		return Decision{Count: n, RetryAfter: c.times[n-limit].Add(rule.Window).Sub(now)}
	}
	if record {
		c.times = append(c.times, now)
	}
	m.keep(k, c)
	return Decision{Allowed: true, Count: len(c.times)}
}

func (m *Memory) keep(k counterKey, c *counter) {
	if len(c.times) == 0 {
		delete(m.counters, k)
		return
	}
	m.counters[k] = c
}

// sweep drops idle counters now and then, so memory stays bounded by the
// keys active within their windows.
func (m *Memory) sweep(now time.Time) {
	if now.Sub(m.sweptAt) < sweepEvery {
		return
	}
	m.sweptAt = now
	for k, c := range m.counters {
		c.times = trim(c.times, now.Add(-c.window))
		m.keep(k, c)
	}
}

// trim drops the times at or before after.
func trim(ts []time.Time, after time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(after) {
		i++
	}
	return ts[i:]
}
