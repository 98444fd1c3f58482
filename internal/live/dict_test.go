package live_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gmc-project/gmc/internal/cache"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/live"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// countingStore is a real store that counts the reads of campaign terms a
// live table makes.
type countingStore struct {
	store.Store
	reads atomic.Int64
}

func (c *countingStore) Character(ctx context.Context, id string) (*gmc.Character, error) {
	c.reads.Add(1)
	return c.Store.Character(ctx, id)
}

func (c *countingStore) Characters(ctx context.Context, f store.CharacterFilter) ([]*gmc.Character, string, error) {
	c.reads.Add(1)
	return c.Store.Characters(ctx, f)
}

func (c *countingStore) Locations(ctx context.Context, f store.LocationFilter) ([]*gmc.Location, string, error) {
	c.reads.Add(1)
	return c.Store.Locations(ctx, f)
}

// TestKeywordDictionaryNotReadOnWrites: the writes of a live campaign read
// nothing for its dictionary (they only mark it stale); the next segment
// re-reads it once for all of them, and detects every new name.
func TestKeywordDictionaryNotReadOnWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := kwStartClock()
	st := &countingStore{Store: openStore(t, filepath.Join(t.TempDir(), "gmc.db"))}
	table, screens := newTableWith(t, live.Config{Store: st, Now: clock.now})
	tb := newKWTableOn(t, st.Store, table, screens, clock)
	wantHeard(t, "dictionary built", tb.say("I cast fireball"), "Fireball")

	before := st.reads.Load()
	for i := range 10 {
		_, err := tb.svc.CreateCharacter(ctx, tb.gm, tb.campaign, service.CharacterParams{Name: fmt.Sprintf("Brother Quillon %c", 'A'+i),
			CharacterType: gmc.CharacterNPC, Visibility: gmc.VisiblePlayers})
		tb.must(err)
	}
	_, err := tb.svc.CreateLocation(ctx, tb.gm, tb.campaign, service.LocationParams{Name: "Saltmarsh Abbey", Visibility: gmc.VisiblePlayers})
	tb.must(err)
	if got := st.reads.Load(); got != before {
		t.Fatalf("the writes made the live table read %d times, want none", got-before)
	}
	wantHeard(t, "names created since", tb.say("Brother Quillon C meets Brother Quillon J at Saltmarsh Abbey"),
		"Brother Quillon C", "Brother Quillon J", "Saltmarsh Abbey")
	if got := st.reads.Load() - before; got != 2 {
		t.Fatalf("the segment after the writes read %d times (characters, locations), want 2: one re-read", got)
	}
	wantHeard(t, "no change since", tb.say("Brother Quillon A waves"), "Brother Quillon A")
	if got := st.reads.Load() - before; got != 2 {
		t.Fatalf("a segment with no change before it read again (%d reads in all), want none", got-2)
	}
}

// TestKeywordDictionarySharedGenerations runs two instances on one
// database sharing the campaigns' generations (in one process, or through
// Redis): a change made on the other instance is detected at this one's
// next segment, without waiting for the periodic re-read.
func TestKeywordDictionarySharedGenerations(t *testing.T) {
	t.Parallel()
	kinds := []struct {
		name string
		gens func(t *testing.T) (a, b cache.Generations)
	}{
		{"memory", func(*testing.T) (cache.Generations, cache.Generations) {
			m := cache.NewMemory()
			return m, m
		}},
		{"redis", func(t *testing.T) (cache.Generations, cache.Generations) {
			opts, err := redis.ParseURL(testenv.RedisURL(t))
			if err != nil {
				t.Fatal(err)
			}
			prefix := testenv.RedisPrefix(t)
			var out [2]cache.Generations
			for i := range out {
				c := redis.NewClient(opts)
				t.Cleanup(func() { c.Close() })
				out[i] = cache.NewRedis(c, cache.RedisOpts{KeyPrefix: prefix})
			}
			return out[0], out[1]
		}},
	}
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			path, clock := filepath.Join(t.TempDir(), "gmc.db"), kwStartClock()
			gensA, gensB := kind.gens(t)
			stA := openStore(t, path)
			tableA, screensA := newTableWith(t, live.Config{Store: stA, Now: clock.now, Generations: gensA})
			a := newKWTableOn(t, stA, tableA, screensA, clock)
			a.svc = newServiceWithGenerations(t, stA, tableA, clock, gensA)
			stB := openStore(t, path)
			tableB, _ := newTableWith(t, live.Config{Store: stB, Now: clock.now, Generations: gensB})
			b := newServiceWithGenerations(t, stB, tableB, clock, gensB)

			npc, err := a.svc.CreateCharacter(ctx, a.gm, a.campaign, service.CharacterParams{Name: "Old Hettie", CharacterType: gmc.CharacterNPC,
				Visibility: gmc.VisiblePlayers})
			a.must(err)
			wantHeard(t, "built on a", a.say("Old Hettie sells herbs"), "Old Hettie")
			renamed := "Mother Brambleweed"
			_, err = b.UpdateCharacter(ctx, a.gm, npc.ID, service.CharacterUpdate{Name: &renamed})
			a.must(err)
			wantHeard(t, "renamed on b", a.say("Mother Brambleweed sells herbs"), "Mother Brambleweed")
			wantHeard(t, "old name gone", a.say("Old Hettie sells herbs"))
			_, err = b.CreateCharacter(ctx, a.gm, a.campaign, service.CharacterParams{Name: "Captain Orsolya", CharacterType: gmc.CharacterNPC,
				Visibility: gmc.VisiblePlayers})
			a.must(err)
			wantHeard(t, "created on b", a.say("Captain Orsolya docks"), "Captain Orsolya")
		})
	}
}

func newServiceWithGenerations(t *testing.T, st store.Store, table *live.Table, clock *kwClock, gens cache.Generations) *service.Service {
	t.Helper()
	svc, err := service.New(service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), Live: table, Now: clock.now, Generations: gens,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
