package embedcache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// table is a database as ReadFunc describes it: rows stamped by a clock
// that every write advances, deletions leaving no trace but the count.
// The backends' contract suite proves the same against SQLite and
// PostgreSQL; this one watches what the cache does with what it reads.
type table struct {
	clock int64
	rows  map[string]tableRow // by owner id
	// fullReads and deltaReads count the reads; fail makes the next fail.
	fullReads, deltaReads int
	fail                  bool
}

type tableRow struct {
	campaign, model string
	vec             []float32
	changed         int64
}

func (tb *table) put(campaign, model, id string, vec []float32) {
	tb.clock++
	v := slices.Clone(vec)
	search.Normalize(v)
	tb.rows[id] = tableRow{campaign: campaign, model: model, vec: v, changed: tb.clock}
}

func (tb *table) read(key Key) ReadFunc {
	return func(_ context.Context, since *int64, row func(Row)) (Mark, error) {
		if tb.fail {
			tb.fail = false
			return Mark{}, errors.New("connection lost")
		}
		mark := Mark{Cursor: tb.clock}
		ids := make([]string, 0, len(tb.rows))
		for id := range tb.rows {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if since == nil {
			tb.fullReads++
		} else {
			tb.deltaReads++
		}
		for _, id := range ids {
			r := tb.rows[id]
			if r.campaign != key.Campaign {
				continue
			}
			mine := r.model == key.Model
			if mine {
				mark.Count++
			}
			if (since == nil && mine) || (since != nil && r.changed > *since) {
				out := Row{OwnerType: "character", OwnerID: id, DocID: 1}
				if mine {
					out.Vector = search.EncodeVector(r.vec)
				}
				row(out)
			}
		}
		return mark, nil
	}
}

// brute is the answer read from the table directly.
func (tb *table) brute(key Key, q []float32, k int) []string {
	best := search.NewNearest[string](k)
	for id, r := range tb.rows {
		if r.campaign == key.Campaign && r.model == key.Model {
			best.Offer(id, search.Dot(q, search.EncodeVector(r.vec)))
		}
	}
	ids, _ := best.Best()
	return ids
}

func randomVec(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	search.Normalize(v)
	return v
}

func ids(ms []store.EmbeddingMatch) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.OwnerID
	}
	return out
}

func all(store.EmbeddingMatch) bool { return true }

func TestCacheFollowsTheTable(t *testing.T) {
	const dims = 8
	r := rand.New(rand.NewPCG(3, 4))
	tb := &table{rows: map[string]tableRow{}}
	key := Key{Campaign: "c1", Model: "m"}
	for i := range 50 {
		tb.put("c1", "m", fmt.Sprintf("o%02d", i), randomVec(r, dims))
	}
	tb.put("c2", "m", "elsewhere", randomVec(r, dims))
	c := New(1 << 20)
	check := func(step string, wantFull, wantDelta int) {
		t.Helper()
		tb.fullReads, tb.deltaReads = 0, 0
		q := randomVec(r, dims)
		got, err := c.Nearest(context.Background(), key, tb.read(key), q, 5, all)
		if err != nil {
			t.Fatalf("%s: Nearest = %v", step, err)
		}
		if want := tb.brute(key, q, 5); !slices.Equal(ids(got), want) {
			t.Fatalf("%s: Nearest = %v, want %v", step, ids(got), want)
		}
		if tb.fullReads != wantFull || tb.deltaReads != wantDelta {
			t.Errorf("%s: %d full and %d delta reads, want %d and %d", step, tb.fullReads, tb.deltaReads, wantFull, wantDelta)
		}
	}
	check("first lookup", 1, 0)
	check("nothing changed", 0, 1)
	tb.put("c1", "m", "o03", randomVec(r, dims))
	tb.put("c1", "m", "new", randomVec(r, dims))
	check("a vector replaced and one added", 0, 1)
	tb.put("c1", "m2", "o04", randomVec(r, dims))
	check("a vector moved to another model", 0, 1)
	delete(tb.rows, "o05")
	check("a vector deleted", 1, 1)
	delete(tb.rows, "o06")
	tb.put("c1", "m", "another", randomVec(r, dims))
	check("one deleted, one added: as many as before", 1, 1)
	tb.fail = true
	if _, err := c.Nearest(context.Background(), key, tb.read(key), randomVec(r, dims), 5, all); err == nil {
		t.Fatal("Nearest of a failed read = nil error")
	}
	if c.Bytes() != 0 {
		t.Errorf("Bytes = %d after a failed read, want the set dropped", c.Bytes())
	}
	check("after a failed read", 1, 0)
}

func TestCacheBudget(t *testing.T) {
	const dims = 16
	r := rand.New(rand.NewPCG(5, 6))
	tb := &table{rows: map[string]tableRow{}}
	a, b, big := Key{"a", "m"}, Key{"b", "m"}, Key{"big", "m"}
	for i := range 10 {
		tb.put("a", "m", fmt.Sprintf("a%d", i), randomVec(r, dims))
		tb.put("b", "m", fmt.Sprintf("b%d", i), randomVec(r, dims))
	}
	for i := range 40 {
		tb.put("big", "m", fmt.Sprintf("g%02d", i), randomVec(r, dims))
	}
	one := int64(10 * (4*dims + 2 + len("character") + vectorOverhead))
	c := New(one * 3 / 2) // room for one small set, not two
	lookup := func(key Key, k int) {
		t.Helper()
		q := randomVec(r, dims)
		got, err := c.Nearest(context.Background(), key, tb.read(key), q, k, all)
		if err != nil {
			t.Fatal(err)
		}
		if want := tb.brute(key, q, k); !slices.Equal(ids(got), want) {
			t.Fatalf("Nearest(%v) = %v, want %v", key, ids(got), want)
		}
	}
	lookup(a, 3)
	if c.Bytes() != one {
		t.Fatalf("Bytes = %d after one set, want %d", c.Bytes(), one)
	}
	lookup(b, 3)
	if c.Bytes() != one {
		t.Fatalf("Bytes = %d after two sets, want %d: the older dropped", c.Bytes(), one)
	}
	tb.fullReads = 0
	lookup(a, 3)
	if tb.fullReads != 1 {
		t.Errorf("the dropped set was not read afresh (%d full reads)", tb.fullReads)
	}
	// A set bigger than the budget is answered, and not kept.
	lookup(big, 7)
	lookup(big, 7)
	if c.Bytes() > one*3/2 {
		t.Errorf("Bytes = %d past the budget %d", c.Bytes(), one*3/2)
	}
	// No budget: nothing kept, answers all the same.
	c = New(0)
	lookup(a, 3)
	if c.Bytes() != 0 {
		t.Errorf("Bytes = %d without a budget", c.Bytes())
	}
}

func TestDot(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 3, 4, 7, 768} {
		a, b := randomVec(r, n), randomVec(r, n)
		got, want := dot(a, b), search.Dot(a, search.EncodeVector(b))
		if d := got - want; d > 1e-5 || d < -1e-5 {
			t.Errorf("dot of %d dims = %v, want %v", n, got, want)
		}
	}
}

// TestCacheConcurrent: lookups of several campaigns at once, with a
// budget that holds one of them, all answer right (run with -race).
func TestCacheConcurrent(t *testing.T) {
	const dims = 8
	r := rand.New(rand.NewPCG(9, 10))
	tb := &table{rows: map[string]tableRow{}}
	keys := []Key{{"a", "m"}, {"b", "m"}, {"c", "m"}}
	for _, k := range keys {
		for i := range 20 {
			tb.put(k.Campaign, "m", fmt.Sprintf("%s%02d", k.Campaign, i), randomVec(r, dims))
		}
	}
	queries := make([][]float32, 8)
	for i := range queries {
		queries[i] = randomVec(r, dims)
	}
	// The table is only read from here on, so its reads need no lock
	// but its counters; every goroutine reads through its own copy.
	c := New(int64(25 * (4*dims + 3 + len("character") + vectorOverhead)))
	errs := make(chan error, len(keys)*len(queries))
	for _, k := range keys {
		for _, q := range queries {
			go func() {
				mine := &table{clock: tb.clock, rows: tb.rows}
				got, err := c.Nearest(context.Background(), k, mine.read(k), q, 4, all)
				if err == nil && !slices.Equal(ids(got), tb.brute(k, q, 4)) {
					err = fmt.Errorf("Nearest(%v) = %v, want %v", k, ids(got), tb.brute(k, q, 4))
				}
				errs <- err
			}()
		}
	}
	for range len(keys) * len(queries) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if c.Bytes() > c.budget {
		t.Errorf("Bytes = %d past the budget %d", c.Bytes(), c.budget)
	}
}
