// Package authcache keeps, per account, the token version every
// authenticated request is checked against, so that a request costs a map
// look-up instead of a database read. The write that raises a version or
// deletes an account calls Forget; with Redis, Forget reaches every
// instance through pub/sub.
//
// Staleness is bounded: an entry is trusted for at most TTL (5 s unless
// set), so an instance that missed a Forget (Redis down, or no Redis
// between instances) still honours a revocation within TTL; an instance
// that received it honours it at once.
package authcache

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// DefaultTTL is how long an entry is trusted without a Forget.
const DefaultTTL = 5 * time.Second

// LoadFunc reads an account's token version from the database; it returns
// gmc.ErrNotFound when the account does not exist.
type LoadFunc = func(ctx context.Context, userID string) (int64, error)

// Memory is the cache of one process.
type Memory struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]entry
	// forgets counts Forget calls; a load that started before one may have
	// read the row the Forget was about, so its result is not kept.
	forgets   uint64
	nextSweep int
}

type entry struct {
	version int64
	gone    bool
	expires time.Time
}

// NewMemory returns an empty cache; ttl 0 means DefaultTTL, now nil the
// wall clock.
func NewMemory(ttl time.Duration, now func() time.Time) *Memory {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Memory{ttl: ttl, now: now, entries: map[string]entry{}, nextSweep: minSweep}
}

const minSweep = 1024

// TokenVersion returns the account's token version, from the cache while
// the entry is fresh, else from load. A deleted account's gmc.ErrNotFound
// is kept too: ids are never reused, and its leftover tokens would
// otherwise reach the database on every request.
func (m *Memory) TokenVersion(ctx context.Context, userID string, load LoadFunc) (int64, error) {
	now := m.now()
	m.mu.Lock()
	e, ok := m.entries[userID]
	forgets := m.forgets
	m.mu.Unlock()
	if ok && now.Before(e.expires) {
		if e.gone {
			return 0, gmc.ErrNotFound
		}
		return e.version, nil
	}
	version, err := load(ctx, userID)
	gone := errors.Is(err, gmc.ErrNotFound)
	if err != nil && !gone {
		return 0, err
	}
	m.mu.Lock()
	if m.forgets == forgets {
		m.store(userID, entry{version: version, gone: gone, expires: now.Add(m.ttl)}, now)
	}
	m.mu.Unlock()
	return version, err
}

// store adds an entry, first dropping expired ones once the map has grown
// to twice its size after the last sweep, so it stays bounded by the
// accounts seen within a TTL at an amortised constant cost.
func (m *Memory) store(userID string, e entry, now time.Time) {
	if len(m.entries) >= m.nextSweep {
		for id, old := range m.entries {
			if !now.Before(old.expires) {
				delete(m.entries, id)
			}
		}
		m.nextSweep = max(2*len(m.entries), minSweep)
	}
	m.entries[userID] = e
}

// Forget drops the account's entry in this process.
func (m *Memory) Forget(_ context.Context, userID string) {
	m.mu.Lock()
	delete(m.entries, userID)
	m.forgets++
	m.mu.Unlock()
}

// forgetAll drops every entry, when Forgets may have been missed.
func (m *Memory) forgetAll() {
	m.mu.Lock()
	clear(m.entries)
	m.forgets++
	m.mu.Unlock()
}

// Len is the number of entries held, expired ones included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}
