// Package embedcache keeps campaigns' embedding vectors in memory between
// similarity lookups, so that a lookup reads from the database only what
// changed since the one before, not every vector of the campaign.
//
// It stays exactly as fresh as the database even when several instances
// share it: every lookup first asks the database, in one statement (one
// snapshot), for the rows changed since the cache's last read and for how
// many vectors there are. Changed rows are applied; a count that then
// differs means rows were deleted, and the set is read afresh. What counts
// as "changed since" is the backend's business (ReadFunc): a cursor it
// hands out with each read.
//
// Only vectors are kept, never who may see them: the caller decides that
// at each lookup (keep). Memory is bounded by a byte budget: the least
// recently used sets are dropped past it, and a set that alone does not
// fit is scored as it is read and not kept.
package embedcache

import (
	"container/list"
	"context"
	"encoding/binary"
	"math"
	"sync"

	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// DefaultBudget is the memory a cache may hold when not told otherwise:
// some 85,000 vectors of 768 dimensions.
const DefaultBudget = 256 << 20

// Key names one set of vectors: a campaign's, of one model.
type Key struct{ Campaign, Model string }

// Row is one embedding as a backend reads it.
type Row struct {
	OwnerType, OwnerID string
	DocID              int64
	// Vector is the stored form (search.EncodeVector), or nil for a row
	// that no longer holds a vector of the key's model. It is not kept:
	// the backend may reuse it once the row callback returns.
	Vector []byte
}

// Mark is what a read learnt of the database, in the snapshot of its rows.
type Mark struct {
	// Cursor is handed to the next read.
	Cursor int64
	// Count is how many vectors of the key's model the campaign holds.
	Count int
}

// ReadFunc reads a set from the database in one snapshot and calls row
// for each row read. With since nil it reads every vector of the key's
// model; else every row of the campaign that changed after the read that
// returned the cursor *since (rows read again are harmless), with
// Vector nil where the row holds no vector of the key's model.
type ReadFunc func(ctx context.Context, since *int64, row func(Row)) (Mark, error)

// KeepFunc says whether a lookup may return an owner (visibility, types).
type KeepFunc func(store.EmbeddingMatch) bool

// Cache holds sets of vectors up to a byte budget. Its methods are safe
// for concurrent use; a nil *Cache keeps nothing.
type Cache struct {
	budget int64

	mu     sync.Mutex
	used   int64
	sets   map[Key]*set
	recent *list.List // of *set, most recently used at the front
}

// New makes a cache of budget bytes; budget <= 0 keeps nothing (every
// lookup reads every vector).
func New(budget int64) *Cache {
	return &Cache{budget: budget, sets: map[Key]*set{}, recent: list.New()}
}

// Bytes is the memory the kept sets take, as the budget counts it.
func (c *Cache) Bytes() int64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// set is one key's vectors.
type set struct {
	key Key
	// mu is held over a read and the scoring after it: lookups of one
	// campaign take turns, so that one read brings the set up to date
	// for all of them and no lookup scores a set being changed.
	mu     sync.Mutex
	loaded bool
	// tooBig is set when the set read last did not fit the budget.
	tooBig bool
	cursor int64
	vecs   []vector
	at     map[owner]int
	size   int64 // bytes of vecs, as the budget counts them

	// Guarded by Cache.mu.
	elem    *list.Element // nil once dropped
	counted int64         // size when last counted in Cache.used
}

type owner struct{ typ, id string }

type vector struct {
	owner owner
	doc   int64
	v     []float32
}

// vectorOverhead is what a kept vector costs beside its floats and ids:
// its slice and strings' headers and its entry in the owner map.
const vectorOverhead = 112

func (v *vector) bytes() int64 {
	return int64(4*len(v.v)+len(v.owner.typ)+len(v.owner.id)) + vectorOverhead
}

// Nearest returns the k vectors of key most similar to q (of unit
// length) that keep accepts, most similar first, with their cosine
// similarity; vectors of another length than q are not compared. It
// first brings key's set up to date with read.
func (c *Cache) Nearest(ctx context.Context, key Key, read ReadFunc, q []float32, k int, keep KeepFunc) ([]store.EmbeddingMatch, error) {
	if c == nil || c.budget <= 0 {
		return Nearest(ctx, read, q, k, keep)
	}
	best := search.NewNearest[store.EmbeddingMatch](k)
	offer := offerTo(best, q, keep)
	s := c.acquire(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	scored, err := c.sync(ctx, s, read, offer)
	if err != nil {
		c.drop(s)
		return nil, err
	}
	if !scored {
		for i := range s.vecs {
			offer(&s.vecs[i])
		}
	}
	c.count(s)
	return results(best), nil
}

// Nearest is Cache.Nearest without a cache: every vector is read and
// scored as it comes, none kept. It is the lookup inside a transaction,
// whose uncommitted rows must not reach a cache.
func Nearest(ctx context.Context, read ReadFunc, q []float32, k int, keep KeepFunc) ([]store.EmbeddingMatch, error) {
	best := search.NewNearest[store.EmbeddingMatch](k)
	offer := offerTo(best, q, keep)
	var buf []float32
	_, err := read(ctx, nil, func(r Row) {
		buf = decode(buf, r.Vector)
		offer(&vector{owner: owner{r.OwnerType, r.OwnerID}, doc: r.DocID, v: buf})
	})
	if err != nil {
		return nil, err
	}
	return results(best), nil
}

func offerTo(best *search.Nearest[store.EmbeddingMatch], q []float32, keep KeepFunc) func(*vector) {
	return func(v *vector) {
		if len(v.v) != len(q) {
			return
		}
		m := store.EmbeddingMatch{OwnerType: v.owner.typ, OwnerID: v.owner.id, DocID: v.doc}
		if keep(m) {
			best.Offer(m, dot(q, v.v))
		}
	}
}

func results(best *search.Nearest[store.EmbeddingMatch]) []store.EmbeddingMatch {
	items, sims := best.Best()
	for i := range items {
		items[i].Similarity = sims[i]
	}
	return items
}

// sync brings s up to date with read. When it had to read every vector,
// it offers each as it comes (a set too big to keep is scored all the
// same) and reports scored.
func (c *Cache) sync(ctx context.Context, s *set, read ReadFunc, offer func(*vector)) (scored bool, err error) {
	if s.loaded {
		mark, err := read(ctx, &s.cursor, s.apply)
		if err != nil {
			return false, err
		}
		if len(s.vecs) == mark.Count {
			s.cursor = mark.Cursor
			return false, nil
		}
		// Vectors went away since (a deleted owner leaves no row to read,
		// only a smaller count): read the set afresh.
	}
	s.reset()
	// A set that did not fit last time is not collected again only to be
	// thrown away at the budget: it is scored as read until it shrinks.
	fits := !s.tooBig
	var total int64
	var buf []float32
	mark, err := read(ctx, nil, func(r Row) {
		if r.Vector == nil {
			return
		}
		if fits {
			s.apply(r)
			v := &s.vecs[s.at[owner{r.OwnerType, r.OwnerID}]]
			total += v.bytes()
			offer(v)
			if s.size > c.budget {
				fits = false
				s.reset()
			}
			return
		}
		buf = decode(buf, r.Vector)
		v := &vector{owner: owner{r.OwnerType, r.OwnerID}, doc: r.DocID, v: buf}
		total += v.bytes()
		offer(v)
	})
	if err != nil {
		return true, err
	}
	s.loaded, s.cursor, s.tooBig = fits, mark.Cursor, total > c.budget
	return true, nil
}

// apply puts a row read into s: a vector added or replaced, or removed.
func (s *set) apply(r Row) {
	o := owner{r.OwnerType, r.OwnerID}
	i, ok := s.at[o]
	if r.Vector == nil {
		if ok {
			s.remove(i)
		}
		return
	}
	v := vector{owner: o, doc: r.DocID, v: decode(nil, r.Vector)}
	s.size += v.bytes()
	if ok {
		s.size -= s.vecs[i].bytes()
		s.vecs[i] = v
		return
	}
	s.at[o] = len(s.vecs)
	s.vecs = append(s.vecs, v)
}

func (s *set) remove(i int) {
	s.size -= s.vecs[i].bytes()
	delete(s.at, s.vecs[i].owner)
	last := len(s.vecs) - 1
	if i != last {
		s.vecs[i] = s.vecs[last]
		s.at[s.vecs[i].owner] = i
	}
	s.vecs[last] = vector{}
	s.vecs = s.vecs[:last]
}

func (s *set) reset() {
	s.loaded, s.cursor, s.vecs, s.at, s.size = false, 0, nil, map[owner]int{}, 0
}

// acquire returns key's set, made if needed, as the most recently used.
func (c *Cache) acquire(key Key) *set {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sets[key]
	if !ok {
		s = &set{key: key, at: map[owner]int{}}
		s.elem = c.recent.PushFront(s)
		c.sets[key] = s
		return s
	}
	c.recent.MoveToFront(s.elem)
	return s
}

// count brings s's size into the budget and drops the least recently
// used sets while it is exceeded (s itself fits: sync kept nothing
// otherwise). It is called with s.mu held.
func (c *Cache) count(s *set) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.elem == nil {
		return // dropped while in use: its vectors go with its last user
	}
	c.used += s.size - s.counted
	s.counted = s.size
	for c.used > c.budget {
		back := c.recent.Back()
		if back == nil || back.Value.(*set) == s {
			break
		}
		c.dropLocked(back.Value.(*set))
	}
}

// drop forgets s, after a failed read left it in an unknown state.
func (c *Cache) drop(s *set) {
	s.reset()
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.elem != nil {
		c.dropLocked(s)
	}
}

func (c *Cache) dropLocked(s *set) {
	c.recent.Remove(s.elem)
	s.elem = nil
	delete(c.sets, s.key)
	c.used -= s.counted
	s.counted = 0
}

// decode is the stored form b as floats, in buf when it is large enough.
func decode(buf []float32, b []byte) []float32 {
	n := len(b) / 4
	if cap(buf) < n {
		buf = make([]float32, n)
	}
	buf = buf[:n]
	for i := range buf {
		buf[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return buf
}

// dot is the dot product of two vectors of one length, in four sums so
// that the additions do not wait for each other.
func dot(a, b []float32) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return float64(s0 + s1 + s2 + s3)
}
