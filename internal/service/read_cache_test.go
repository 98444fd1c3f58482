package service_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/cache"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/reference/referencetest"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

func newCachingService(t *testing.T, st store.Store, gens cache.Generations, cacheReads bool) *service.Service {
	t.Helper()
	svc, err := service.New(service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), Generations: gens, CacheReads: cacheReads,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// listing is one page of Locations as the test compares it.
type listing struct {
	Names []string
	Items []gmc.Location
	Next  string
	Err   string
}

func listPage(ctx context.Context, svc *service.Service, userID string, q service.LocationQuery) listing {
	locs, next, err := svc.Locations(ctx, userID, q)
	var l listing
	for _, loc := range locs {
		l.Names, l.Items = append(l.Names, loc.Name), append(l.Items, *loc)
	}
	l.Next = next
	if err != nil {
		l.Err = err.Error()
	}
	return l
}

// TestCachedLocationTreeMatchesStore: every list of locations cut from the
// cached tree — roots, children, subtrees, for a GM and a player, page by
// page — equals the store's answer, before and after writes that move,
// hide and delete parts of the tree (each write invalidating the tree).
func TestCachedLocationTreeMatchesStore(t *testing.T) {
	t.Parallel()
	for _, b := range storeBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := b.open(t)
			cached := newCachingService(t, st, cache.NewMemory(), true)
			plain := newCachingService(t, st, nil, false)
			gm := mustRegister(t, cached, "gm@example.com")
			player := mustRegister(t, cached, "player@example.com")
			c, err := cached.CreateCampaign(ctx, gm, service.CampaignParams{Name: "Tree"})
			must(t, err)
			inv, err := cached.CreateInvite(ctx, gm, c.ID, service.InviteParams{Role: gmc.RolePlayer})
			must(t, err)
			_, err = cached.AcceptInvite(ctx, player, inv.Code, "")
			must(t, err)

			ids := map[string]string{}
			add := func(name, parent string, vis gmc.Visibility) {
				p := service.LocationParams{Name: name, Visibility: vis}
				if parent != "" {
					id := ids[parent]
					p.ParentID = &id
				}
				l, err := cached.CreateLocation(ctx, gm, c.ID, p)
				must(t, err)
				ids[name] = l.ID
			}
			add("Realm", "", gmc.VisiblePlayers)
			add("Lair", "", gmc.VisibleGM)
			add("Harbour", "", gmc.VisiblePlayers)
			add("Town", "Realm", gmc.VisiblePlayers)
			add("Crypt", "Realm", gmc.VisibleGM)
			add("Inn", "Town", gmc.VisiblePlayers)
			add("Market", "Town", gmc.VisiblePlayers)
			add("Cellar", "Inn", gmc.VisiblePlayers)
			add("Vault", "Crypt", gmc.VisiblePlayers)
			add("Throne", "Lair", gmc.VisiblePlayers)

			compare := func(stage string) {
				t.Helper()
				parents := []string{"", ids["Realm"], ids["Town"], ids["Crypt"], ids["Lair"], ids["Vault"], ids["Cellar"], "0190a0b0-0000-7000-8000-000000000000"}
				for _, user := range []struct{ name, id string }{{"gm", gm}, {"player", player}} {
					for _, parent := range parents {
						for _, subtree := range []bool{false, true} {
							for _, limit := range []int{1, 2, 100} {
								q := service.LocationQuery{CampaignID: c.ID, ParentID: parent, Subtree: subtree, Page: gmc.Page{Limit: limit}}
								for page := 0; ; page++ {
									want, got := listPage(ctx, plain, user.id, q), listPage(ctx, cached, user.id, q)
									if diff := cmp.Diff(want, got); diff != "" {
										t.Fatalf("%s: %s Locations(parent %q, subtree %v, limit %d) page %d: cached differs from store (-store +cached):\n%s",
											stage, user.name, parent, subtree, limit, page, diff)
									}
									if want.Next == "" || page > 20 {
										break
									}
									q.Page.Cursor = want.Next
								}
							}
						}
					}
					q := service.LocationQuery{CampaignID: c.ID, Subtree: true, Page: gmc.Page{Cursor: "not-a-path"}}
					if want, got := listPage(ctx, plain, user.id, q), listPage(ctx, cached, user.id, q); want.Err == "" || !cmp.Equal(want, got) {
						t.Fatalf("%s: %s Locations with a bad cursor: store %+v, cached %+v; want the same error", stage, user.name, want, got)
					}
				}
			}
			compare("built")
			_, err = cached.MoveLocation(ctx, gm, ids["Vault"], ptr(ids["Market"]), 0)
			must(t, err)
			compare("after a move out of a hidden subtree")
			gmOnly := gmc.VisibleGM
			_, err = cached.UpdateLocation(ctx, gm, ids["Town"], service.LocationUpdate{Visibility: &gmOnly})
			must(t, err)
			compare("after hiding a subtree")
			must(t, cached.DeleteLocation(ctx, gm, ids["Lair"], true, 0))
			compare("after a cascading delete")
			add("Lighthouse", "Harbour", gmc.VisiblePlayers)
			compare("after a create")
		})
	}
}

// TestCachedReadsRefuseRemovedPlayer: a player's read fills the cache;
// once the GM removes them, their next read is refused although the tree
// is still cached (the GM's read is served from memory).
func TestCachedReadsRefuseRemovedPlayer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storeBackends[0].open(t)
	svc := newCachingService(t, st, cache.NewMemory(), true)
	gm, player := mustRegister(t, svc, "gm@example.com"), mustRegister(t, svc, "player@example.com")
	c, err := svc.CreateCampaign(ctx, gm, service.CampaignParams{Name: "Tree"})
	must(t, err)
	inv, err := svc.CreateInvite(ctx, gm, c.ID, service.InviteParams{Role: gmc.RolePlayer})
	must(t, err)
	_, err = svc.AcceptInvite(ctx, player, inv.Code, "")
	must(t, err)
	town, err := svc.CreateLocation(ctx, gm, c.ID, service.LocationParams{Name: "Town", Visibility: gmc.VisiblePlayers})
	must(t, err)
	q := service.LocationQuery{CampaignID: c.ID, Subtree: true}
	if got := listPage(ctx, svc, player, q); !cmp.Equal(got.Names, []string{"Town"}) {
		t.Fatalf("player's read before removal = %+v, want Town", got)
	}
	// A change behind the service's back (no bump) shows what is served
	// from memory.
	town.Name = "Renamed behind the cache"
	must(t, st.UpdateLocation(ctx, town, &gmc.Event{ID: uuid.Must(uuid.NewV7()).String(), CampaignID: c.ID, ActorID: gm,
		Action: gmc.ActionUpdate, EntityType: gmc.EntityLocation, EntityID: town.ID, At: time.Now().UTC()}))
	must(t, svc.RemoveMember(ctx, gm, c.ID, player))
	if got := listPage(ctx, svc, gm, q); !cmp.Equal(got.Names, []string{"Town"}) {
		t.Fatalf("GM's read after the removal = %+v, want the cached Town", got)
	}
	if _, _, err := svc.Locations(ctx, player, q); !errors.Is(err, gmc.ErrNotFound) {
		t.Fatalf("removed player's read of the cached tree: err = %v, want ErrNotFound", err)
	}
}

func mustRegister(t *testing.T, svc *service.Service, email string) string {
	t.Helper()
	u, err := svc.Register(context.Background(), service.RegisterParams{Email: email, Password: "correct horse battery", DisplayName: email})
	must(t, err)
	return u.ID
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestCachedReferenceEntry: an entry is served from memory until an
// import bumps the reference generation, whatever that import holds; the
// caller's copy can be changed without changing what others are served.
func TestCachedReferenceEntry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storeBackends[0].open(t)
	svc := newCachingService(t, st, cache.NewMemory(), true)
	_, err := svc.ImportReference(ctx, referencetest.Dir())
	must(t, err)
	entries, err := reference.Load(referencetest.Dir())
	must(t, err)
	first := entries[0]
	read := func() string {
		t.Helper()
		e, err := svc.ReferenceEntry(ctx, first.Kind, first.Slug)
		must(t, err)
		name := e.Name
		e.Name = "changed by a caller"
		return name
	}
	if got := read(); got != first.Name {
		t.Fatalf("ReferenceEntry(%s, %s).Name = %q, want %q", first.Kind, first.Slug, got, first.Name)
	}
	behind := first
	behind.Name = "Renamed behind the cache"
	_, _, err = st.UpsertReferenceEntries(ctx, []reference.Entry{behind}, time.Now().UTC())
	must(t, err)
	if got := read(); got != first.Name {
		t.Fatalf("second read = %q, want the cached %q", got, first.Name)
	}
	other := t.TempDir()
	must(t, os.WriteFile(filepath.Join(other, "5e-SRD-Conditions.json"),
		[]byte(`[{"index": "dazzled", "name": "Dazzled", "desc": ["Test fixture written for gmc: bright light."]}]`), 0o600))
	_, err = svc.ImportReference(ctx, other)
	must(t, err)
	if got := read(); got != behind.Name {
		t.Fatalf("read after an import = %q, want %q", got, behind.Name)
	}
	if _, err := svc.ReferenceEntry(ctx, first.Kind, "no-such-entry"); !errors.Is(err, gmc.ErrNotFound) {
		t.Fatalf("ReferenceEntry of a missing slug: err = %v, want ErrNotFound", err)
	}
}
