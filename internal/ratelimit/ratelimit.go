// Package ratelimit counts attempts per key in a sliding window, in process
// memory by default or in Redis when several gmc instances share the load.
package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Limiter decides whether one more attempt under key is allowed.
type Limiter interface {
	// Allow records an attempt and reports whether it is within the limit;
	// when it is not, retryAfter says when the oldest attempt leaves the window.
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
}

// Memory is a sliding-window limiter for a single instance.
type Memory struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	attempts map[string][]time.Time
	sweptAt  time.Time
}

// NewMemory allows limit attempts per key within window. now may be nil.
func NewMemory(limit int, window time.Duration, now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{limit: limit, window: window, now: now, attempts: map[string][]time.Time{}}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string) (bool, time.Duration, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	recent := trim(m.attempts[key], now.Add(-m.window))
	if len(recent) >= m.limit {
		m.attempts[key] = recent
		return false, recent[0].Add(m.window).Sub(now), nil
	}
	m.attempts[key] = append(recent, now)
	return true, 0, nil
}

// sweep drops idle keys once per window so memory stays bounded by the
// number of keys active in the last window.
func (m *Memory) sweep(now time.Time) {
	if now.Sub(m.sweptAt) < m.window {
		return
	}
	m.sweptAt = now
	for k, ts := range m.attempts {
		if recent := trim(ts, now.Add(-m.window)); len(recent) == 0 {
			delete(m.attempts, k)
		} else {
			m.attempts[k] = recent
		}
	}
}

func trim(ts []time.Time, after time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(after) {
		i++
	}
	return ts[i:]
}
