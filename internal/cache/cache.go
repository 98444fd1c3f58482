// Package cache keeps values read from the database in process memory and
// serves one only while the generation of its scope (a campaign) is the
// one it was read under. Every committed write of a scope's data bumps the
// scope's generation before its response is sent; a reader reads the
// generation before it reads the database.
//
// The guarantee: a read that starts after a write's response was sent sees
// that write, on every instance that shares the generations — one process
// (Memory), or every instance on one Redis server and key prefix (Redis,
// where the generation lives in Redis and is read on every Get, so no
// pub/sub message can be missed or arrive late). When the generation
// cannot be read, Get reads the database (after a failure Redis is left
// alone for RedisDownFor, so an outage costs requests no waiting). Two limits, both bounded by
// Opts.MaxAge: a bump that fails (Redis unreachable from the writer only)
// and a write by a process that does not share the generations (a CLI
// command on the SQLite file of a running server) are seen once the
// cached value is MaxAge old.
//
// Permission decisions are never cached here: callers check the caller's
// membership on each request and cache only what every member of the
// scope may be shown after that check (or filter it per role).
package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Generations hold the current generation of each scope.
type Generations interface {
	// Current returns the scope's generation. Read it before the data
	// that will be kept under it, so that a write committed meanwhile
	// bumps it past the kept value.
	Current(ctx context.Context, scope string) (string, error)
	// Bump gives the scope a generation it never had. Call it after the
	// write has committed and before its response is sent.
	Bump(ctx context.Context, scope string) error
}

// Defaults of Opts.
const (
	DefaultMaxAge     = time.Minute
	DefaultMaxEntries = 4096
)

// Opts configures New; zero fields take the defaults.
type Opts struct {
	// MaxAge bounds how long a value is served without a reload (see the
	// package doc for when that matters).
	MaxAge time.Duration
	// MaxEntries bounds the values held; when full, an arbitrary one is
	// dropped for a new one.
	MaxEntries int
	// Now is the clock; nil is the wall clock.
	Now func() time.Time
}

// Cache holds values of type V by scope and key.
type Cache[V any] struct {
	gens       Generations
	maxAge     time.Duration
	maxEntries int
	now        func() time.Time

	mu      sync.Mutex
	entries map[entryKey]entry[V]

	hits, loads atomic.Int64
}

type entryKey struct{ scope, key string }

type entry[V any] struct {
	gen    string
	value  V
	loaded time.Time
}

// New returns an empty cache over gens.
func New[V any](gens Generations, opts Opts) *Cache[V] {
	c := &Cache[V]{gens: gens, maxAge: opts.MaxAge, maxEntries: opts.MaxEntries, now: opts.Now, entries: map[entryKey]entry[V]{}}
	if c.maxAge <= 0 {
		c.maxAge = DefaultMaxAge
	}
	if c.maxEntries <= 0 {
		c.maxEntries = DefaultMaxEntries
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Get returns the value of key in scope: the one held when it was loaded
// under the scope's current generation less than MaxAge ago, else what
// load returns, which is then held (an error is not). Values are shared
// between callers: they must not be changed.
func (c *Cache[V]) Get(ctx context.Context, scope, key string, load func(ctx context.Context) (V, error)) (V, error) {
	gen, err := c.gens.Current(ctx, scope)
	if err != nil {
		// Nothing held can be trusted without the generation; the
		// database can.
		c.loads.Add(1)
		return load(ctx)
	}
	k := entryKey{scope, key}
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if ok && e.gen == gen && now.Sub(e.loaded) < c.maxAge {
		c.hits.Add(1)
		return e.value, nil
	}
	c.loads.Add(1)
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if _, held := c.entries[k]; !held && len(c.entries) >= c.maxEntries {
		for old := range c.entries { // map order: an arbitrary entry
			delete(c.entries, old)
			break
		}
	}
	c.entries[k] = entry[V]{gen: gen, value: v, loaded: now}
	c.mu.Unlock()
	return v, nil
}

// Stats says how many Gets were served from memory and how many loaded.
func (c *Cache[V]) Stats() (hits, loads int64) { return c.hits.Load(), c.loads.Load() }

// Len is the number of values held.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
