package cache_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gmc-project/gmc/internal/cache"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// table is a database table a loader reads, counting the reads.
type table struct {
	mu    sync.Mutex
	rows  map[string]string
	reads int
}

func (tb *table) write(key, value string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.rows[key] = value
}

func (tb *table) loader(key string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		tb.reads++
		return tb.rows[key], nil
	}
}

func (tb *table) readCount() int {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.reads
}

// clock is a settable clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// instances returns n sets of generations that share what one
// deployment shares: one Memory for one process, one Redis prefix for
// several.
type instances func(t *testing.T, n int) []cache.Generations

func generationKinds() []struct {
	name string
	make instances
} {
	return []struct {
		name string
		make instances
	}{
		{"memory", func(_ *testing.T, n int) []cache.Generations {
			m := cache.NewMemory()
			out := make([]cache.Generations, n)
			for i := range out {
				out[i] = m
			}
			return out
		}},
		{"redis", func(t *testing.T, n int) []cache.Generations {
			prefix := testenv.RedisPrefix(t)
			out := make([]cache.Generations, n)
			for i := range out {
				out[i] = cache.NewRedis(newRedisClient(t), cache.RedisOpts{KeyPrefix: prefix})
			}
			return out
		}},
	}
}

func newRedisClient(t *testing.T) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

func mustGet(t *testing.T, c *cache.Cache[string], scope, key string, load func(context.Context) (string, error), want string) {
	t.Helper()
	got, err := c.Get(context.Background(), scope, key, load)
	if err != nil || got != want {
		t.Fatalf("Get(%s, %s) = %q, %v, want %q", scope, key, got, err, want)
	}
}

// TestHitThenBump: a second read is served from memory; a bump of the
// scope (the write's) makes the next read load again, on the instance that
// wrote and on another; another scope's values stay.
func TestHitThenBump(t *testing.T) {
	t.Parallel()
	for _, kind := range generationKinds() {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			gens := kind.make(t, 2)
			db := &table{rows: map[string]string{"tree": "v1", "other": "o1"}}
			a, b := cache.New[string](gens[0], cache.Opts{}), cache.New[string](gens[1], cache.Opts{})

			mustGet(t, a, "camp-1", "tree", db.loader("tree"), "v1")
			mustGet(t, b, "camp-1", "tree", db.loader("tree"), "v1")
			mustGet(t, b, "camp-2", "tree", db.loader("other"), "o1")
			db.write("tree", "v1 changed behind the cache's back")
			mustGet(t, a, "camp-1", "tree", db.loader("tree"), "v1")
			mustGet(t, b, "camp-1", "tree", db.loader("tree"), "v1")
			if got := db.readCount(); got != 3 {
				t.Fatalf("database reads after two hits = %d, want 3", got)
			}

			db.write("tree", "v2")
			if err := gens[0].Bump(ctx, "camp-1"); err != nil {
				t.Fatal(err)
			}
			mustGet(t, a, "camp-1", "tree", db.loader("tree"), "v2")
			mustGet(t, b, "camp-1", "tree", db.loader("tree"), "v2")
			db.write("other", "o2 behind the cache's back")
			mustGet(t, b, "camp-2", "tree", db.loader("other"), "o1")
			if hits, loads := b.Stats(); hits != 2 || loads != 3 {
				t.Fatalf("b.Stats() = %d hits, %d loads, want 2, 3", hits, loads)
			}
		})
	}
}

// TestWriteDuringLoad: a write that commits while a value is being loaded
// (after the generation was read) is seen by the next read, whether or not
// the load saw it.
func TestWriteDuringLoad(t *testing.T) {
	t.Parallel()
	for _, kind := range generationKinds() {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			gens := kind.make(t, 2)
			db := &table{rows: map[string]string{"tree": "v1"}}
			reader := cache.New[string](gens[0], cache.Opts{})
			_, err := reader.Get(ctx, "camp", "tree", func(ctx context.Context) (string, error) {
				v, err := db.loader("tree")(ctx)
				db.write("tree", "v2") // the writer commits on another instance
				if err := gens[1].Bump(ctx, "camp"); err != nil {
					t.Fatal(err)
				}
				return v, err
			})
			if err != nil {
				t.Fatal(err)
			}
			mustGet(t, reader, "camp", "tree", db.loader("tree"), "v2")
		})
	}
}

// TestRedisLostGeneration: when Redis loses the key (a restart without
// persistence), the generation starts again with a token no held value
// was loaded under, so nothing old is served.
func TestRedisLostGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	prefix := testenv.RedisPrefix(t)
	client := newRedisClient(t)
	gens := cache.NewRedis(client, cache.RedisOpts{KeyPrefix: prefix})
	c := cache.New[string](gens, cache.Opts{})
	db := &table{rows: map[string]string{"tree": "v1"}}
	mustGet(t, c, "camp", "tree", db.loader("tree"), "v1")
	db.write("tree", "v2")
	if err := client.Del(ctx, prefix+"cache:gen:camp").Err(); err != nil {
		t.Fatal(err)
	}
	mustGet(t, c, "camp", "tree", db.loader("tree"), "v2")
}

// TestRedisUnreachable: without the generation every read goes to the
// database, and nothing read then is served later as if current.
func TestRedisUnreachable(t *testing.T) {
	t.Parallel()
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { down.Close() })
	c := cache.New[string](cache.NewRedis(down, cache.RedisOpts{KeyPrefix: "gmctest:down:"}), cache.Opts{})
	db := &table{rows: map[string]string{"tree": "v1"}}
	mustGet(t, c, "camp", "tree", db.loader("tree"), "v1")
	db.write("tree", "v2")
	mustGet(t, c, "camp", "tree", db.loader("tree"), "v2")
	if got := db.readCount(); got != 2 || c.Len() != 0 {
		t.Fatalf("reads = %d, held = %d; want 2 reads, nothing held", got, c.Len())
	}
}

// TestMaxAgeAndErrors: a value is reloaded once MaxAge old even without a
// bump; a failed load is returned and not kept; the number of values held
// stays within MaxEntries.
func TestMaxAgeAndErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := cache.New[string](cache.NewMemory(), cache.Opts{MaxAge: time.Minute, MaxEntries: 3, Now: clk.now})
	db := &table{rows: map[string]string{"tree": "v1"}}
	mustGet(t, c, "camp", "tree", db.loader("tree"), "v1")
	db.write("tree", "v2 written by a process that shares no generations")
	clk.t = clk.t.Add(59 * time.Second)
	mustGet(t, c, "camp", "tree", db.loader("tree"), "v1")
	clk.t = clk.t.Add(time.Second)
	mustGet(t, c, "camp", "tree", db.loader("tree"), "v2 written by a process that shares no generations")

	boom := errors.New("database down")
	if _, err := c.Get(ctx, "camp", "broken", func(context.Context) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Fatalf("Get with a failing load = %v, want %v", err, boom)
	}
	mustGet(t, c, "camp", "broken", func(context.Context) (string, error) { return "fixed", nil }, "fixed")

	for i := range 10 {
		key := fmt.Sprint("k", i)
		mustGet(t, c, "camp", key, func(context.Context) (string, error) { return key, nil }, key)
		if c.Len() > 3 {
			t.Fatalf("Len() = %d after %d keys, want at most MaxEntries 3", c.Len(), i+1)
		}
	}
}
