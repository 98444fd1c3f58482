package live_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/live"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// flakyStore is a real store whose reads of the campaign, its characters
// and locations, the reference data and the writes of keyword hits fail
// while their method's name is switched on.
type flakyStore struct {
	store.Store
	mu   sync.Mutex
	fail map[string]bool
}

var errFlaky = errors.New("database went away")

func (f *flakyStore) set(method string, on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		f.fail = map[string]bool{}
	}
	f.fail[method] = on
}

func (f *flakyStore) failing(method string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail[method]
}

func (f *flakyStore) Campaign(ctx context.Context, id string) (*gmc.Campaign, error) {
	if f.failing("Campaign") {
		return nil, errFlaky
	}
	return f.Store.Campaign(ctx, id)
}

func (f *flakyStore) Characters(ctx context.Context, fl store.CharacterFilter) ([]*gmc.Character, string, error) {
	if f.failing("Characters") {
		return nil, "", errFlaky
	}
	return f.Store.Characters(ctx, fl)
}

func (f *flakyStore) Locations(ctx context.Context, fl store.LocationFilter) ([]*gmc.Location, string, error) {
	if f.failing("Locations") {
		return nil, "", errFlaky
	}
	return f.Store.Locations(ctx, fl)
}

func (f *flakyStore) ReferenceKinds(ctx context.Context) (map[string]int, error) {
	if f.failing("ReferenceKinds") {
		return nil, errFlaky
	}
	return f.Store.ReferenceKinds(ctx)
}

func (f *flakyStore) CreateKeywordHits(ctx context.Context, hits []*gmc.KeywordHit) error {
	if f.failing("CreateKeywordHits") {
		return errFlaky
	}
	return f.Store.CreateKeywordHits(ctx, hits)
}

// TestKeywordDictionaryStoreFailures: keyword detection never fails a
// segment's ingestion. A dictionary whose first build fails is built
// again at the next segment; one whose re-read fails after a change keeps
// serving what it had and re-reads at the next segment; hits that cannot
// be stored still alert the table.
func TestKeywordDictionaryStoreFailures(t *testing.T) {
	t.Parallel()
	for _, method := range []string{"Campaign", "Characters", "Locations", "ReferenceKinds"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := kwStartClock()
			st := &flakyStore{Store: openStore(t, filepath.Join(t.TempDir(), "gmc.db"))}
			table, screens := newTableWith(t, live.Config{Store: st, Now: clock.now})
			tb := newKWTableOn(t, st.Store, table, screens, clock)
			_, err := tb.svc.CreateCharacter(ctx, tb.gm, tb.campaign, service.CharacterParams{Name: "Sister Garaele",
				CharacterType: gmc.CharacterNPC, Visibility: gmc.VisiblePlayers})
			tb.must(err)

			st.set(method, true)
			wantHeard(t, "first build failing", tb.say("Sister Garaele casts fireball")) // stored, nothing alerted
			st.set(method, false)
			wantHeard(t, "built at the next segment", tb.say("Sister Garaele casts fireball"), "Sister Garaele", "Fireball")

			_, err = tb.svc.CreateCharacter(ctx, tb.gm, tb.campaign, service.CharacterParams{Name: "Halia Thornton",
				CharacterType: gmc.CharacterNPC, Visibility: gmc.VisiblePlayers})
			tb.must(err)
			st.set(method, true)
			// Past the reference data's re-check, so that its read is part
			// of the re-read too.
			clock.advance(3 * time.Minute)
			wantHeard(t, "re-read failing: the old dictionary", tb.say("Halia Thornton pays Sister Garaele"), "Sister Garaele")
			st.set(method, false)
			wantHeard(t, "re-read at the next segment", tb.say("Halia Thornton pays Sister Garaele"), "Halia Thornton", "Sister Garaele")

			// The periodic re-read (due after two minutes; a dictionary
			// idle for half an hour is dropped instead) failing changes
			// nothing either.
			st.set(method, true)
			clock.advance(3 * time.Minute)
			wantHeard(t, "periodic re-read failing", tb.say("Halia Thornton waves"), "Halia Thornton")
			st.set(method, false)
		})
	}
	t.Run("hits not stored", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		clock := kwStartClock()
		st := &flakyStore{Store: openStore(t, filepath.Join(t.TempDir(), "gmc.db"))}
		table, screens := newTableWith(t, live.Config{Store: st, Now: clock.now})
		tb := newKWTableOn(t, st.Store, table, screens, clock)
		st.set("CreateKeywordHits", true)
		wantHeard(t, "hits failing", tb.say("I cast fireball"), "Fireball")
		hits, _, err := tb.svc.KeywordHits(ctx, tb.gm, service.KeywordHitQuery{SessionID: tb.session})
		tb.must(err)
		if len(hits) != 0 {
			t.Errorf("%d hits stored while their writes failed", len(hits))
		}
	})
}
