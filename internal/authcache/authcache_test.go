package authcache_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gmc-project/gmc/internal/authcache"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// db is the database a loader reads, counting the reads.
type db struct {
	versions map[string]int64
	reads    int
	err      error
	// during runs inside a read, as if a write landed while it ran.
	during func()
}

func (d *db) load(_ context.Context, id string) (int64, error) {
	d.reads++
	if d.during != nil {
		d.during()
	}
	if d.err != nil {
		return 0, d.err
	}
	v, ok := d.versions[id]
	if !ok {
		return 0, gmc.ErrNotFound
	}
	return v, nil
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func lookUp(t *testing.T, c interface {
	TokenVersion(context.Context, string, authcache.LoadFunc) (int64, error)
}, d *db, id string) (int64, error) {
	t.Helper()
	return c.TokenVersion(context.Background(), id, d.load)
}

func TestMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("HitReadsNothing", func(t *testing.T) {
		d := &db{versions: map[string]int64{"a": 3}}
		c := authcache.NewMemory(0, nil)
		for range 3 {
			if v, err := lookUp(t, c, d, "a"); v != 3 || err != nil {
				t.Fatalf("TokenVersion = %d, %v, want 3", v, err)
			}
		}
		if d.reads != 1 {
			t.Errorf("database reads = %d for three look-ups, want 1", d.reads)
		}
	})
	t.Run("ForgetRereads", func(t *testing.T) {
		d := &db{versions: map[string]int64{"a": 3, "b": 1}}
		c := authcache.NewMemory(0, nil)
		lookUp(t, c, d, "a")
		lookUp(t, c, d, "b")
		d.versions["a"] = 4
		c.Forget(ctx, "a")
		if v, _ := lookUp(t, c, d, "a"); v != 4 {
			t.Errorf("TokenVersion after Forget = %d, want 4", v)
		}
		lookUp(t, c, d, "b")
		if d.reads != 3 {
			t.Errorf("database reads = %d, want 3 (b stays cached)", d.reads)
		}
	})
	t.Run("StaleAfterTTL", func(t *testing.T) {
		d := &db{versions: map[string]int64{"a": 3}}
		clk := &clock{t: time.Unix(1000, 0)}
		c := authcache.NewMemory(time.Second, clk.now)
		lookUp(t, c, d, "a")
		d.versions["a"] = 5 // written by another instance, no Forget here
		clk.t = clk.t.Add(999 * time.Millisecond)
		if v, _ := lookUp(t, c, d, "a"); v != 3 {
			t.Errorf("TokenVersion within the TTL = %d, want the cached 3", v)
		}
		clk.t = clk.t.Add(time.Millisecond)
		if v, _ := lookUp(t, c, d, "a"); v != 5 {
			t.Errorf("TokenVersion at the TTL = %d, want 5 from the database", v)
		}
	})
	t.Run("GoneIsKept", func(t *testing.T) {
		d := &db{versions: map[string]int64{}}
		c := authcache.NewMemory(0, nil)
		for range 2 {
			if _, err := lookUp(t, c, d, "deleted"); !errors.Is(err, gmc.ErrNotFound) {
				t.Fatalf("TokenVersion(deleted) = %v, want ErrNotFound", err)
			}
		}
		if d.reads != 1 {
			t.Errorf("database reads = %d, want 1", d.reads)
		}
	})
	t.Run("ErrorsAreNotKept", func(t *testing.T) {
		d := &db{versions: map[string]int64{"a": 1}, err: errors.New("connection refused")}
		c := authcache.NewMemory(0, nil)
		if _, err := lookUp(t, c, d, "a"); err == nil {
			t.Fatal("TokenVersion with a failing database = nil error")
		}
		d.err = nil
		if v, err := lookUp(t, c, d, "a"); v != 1 || err != nil {
			t.Errorf("TokenVersion after the database recovered = %d, %v, want 1", v, err)
		}
	})
	t.Run("ReadOverlappingAForgetIsNotKept", func(t *testing.T) {
		d := &db{versions: map[string]int64{"a": 3}}
		c := authcache.NewMemory(0, nil)
		// The read returns the old version, but the write that raised it
		// committed and called Forget before the read finished.
		d.during = func() { c.Forget(ctx, "a") }
		lookUp(t, c, d, "a")
		d.during = nil
		d.versions["a"] = 4
		if v, _ := lookUp(t, c, d, "a"); v != 4 {
			t.Errorf("TokenVersion after a read that overlapped a Forget = %d, want 4", v)
		}
	})
	t.Run("ExpiredEntriesAreSwept", func(t *testing.T) {
		d := &db{versions: map[string]int64{}}
		clk := &clock{t: time.Unix(1000, 0)}
		c := authcache.NewMemory(time.Second, clk.now)
		for i := range 10_000 {
			d.versions[fmt.Sprint(i)] = 1
			lookUp(t, c, d, fmt.Sprint(i))
			clk.t = clk.t.Add(time.Millisecond)
		}
		// About 1,000 entries are fresh at any time (1 s at 1 a ms).
		if n := c.Len(); n > 4000 {
			t.Errorf("entries held = %d after 10,000 accounts seen 1,000 a TTL, want them swept", n)
		}
	})
}

// TestRedisForgetReachesOtherInstances: Forget on one instance drops the
// entry of every instance on the same Redis server and prefix, and of no
// instance on another prefix.
func TestRedisForgetReachesOtherInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	prefix, otherPrefix := testenv.RedisPrefix(t), testenv.RedisPrefix(t)
	open := func(prefix string) *authcache.Redis {
		client := redis.NewClient(opts)
		t.Cleanup(func() { client.Close() })
		c, err := authcache.NewRedis(ctx, client, authcache.RedisOpts{KeyPrefix: prefix, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	a, b, elsewhere := open(prefix), open(prefix), open(otherPrefix)
	d := &db{versions: map[string]int64{"u": 1}}
	for _, c := range []*authcache.Redis{a, b, elsewhere} {
		lookUp(t, c, d, "u")
	}
	d.versions["u"] = 2
	a.Forget(ctx, "u")
	if v, _ := lookUp(t, a, d, "u"); v != 2 {
		t.Errorf("the forgetting instance: TokenVersion = %d, want 2", v)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		v, _ := lookUp(t, b, d, "u")
		if v == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other instance still holds version 1 two seconds after Forget")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // a stray message would have landed
	if v, _ := lookUp(t, elsewhere, d, "u"); v != 1 {
		t.Errorf("an instance on another prefix: TokenVersion = %d, want its cached 1", v)
	}
}

// BenchmarkMemoryHit is the cache's share of a request's cost.
func BenchmarkMemoryHit(b *testing.B) {
	d := &db{versions: map[string]int64{"01a24e7a-cb18-7243-a2b0-1866784b964b": 1}}
	c := authcache.NewMemory(0, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.TokenVersion(ctx, "01a24e7a-cb18-7243-a2b0-1866784b964b", d.load); err != nil {
			b.Fatal(err)
		}
	}
}
