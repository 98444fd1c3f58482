package service_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/testenv"
)

// brokenInhabitant is the built-in generator with one flaw: the last
// named inhabitant of a location has no name, so storing it fails after
// the location itself was written.
type brokenInhabitant struct{ generate.Builtin }

func (b brokenInhabitant) Location(ctx context.Context, c *generate.Campaign, req generate.LocationRequest) (*generate.LocationDraft, error) {
	d, err := b.Builtin.Location(ctx, c, req)
	if err != nil {
		return nil, err
	}
	for i := len(d.Inhabitants) - 1; i >= 0; i-- {
		if d.Inhabitants[i].NPC {
			d.Inhabitants[i].Name = ""
			break
		}
	}
	return d, nil
}

// TestGeneratedLocationSavedInOneTransaction: a location saved with its
// inhabitants is stored whole or not at all, and its change notices go
// out only after the commit.
func TestGeneratedLocationSavedInOneTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, b := range []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"sqlite", func(t *testing.T) store.Store {
			st, err := sqlite.Open(filepath.Join(t.TempDir(), "gmc.db"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
		{"postgres", func(t *testing.T) store.Store {
			st, err := postgres.Open(ctx, testenv.PostgresSchema(t))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
	} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			st := b.open(t)
			t.Cleanup(func() { st.Close() })
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			table, n := newNotices(t, st)
			build := func(g generate.Generator) *service.Service {
				svc, err := service.New(service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), Live: table, Generator: g,
					PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
				if err != nil {
					t.Fatal(err)
				}
				return svc
			}
			svc, broken := build(nil), build(brokenInhabitant{})
			u, err := svc.Register(ctx, service.RegisterParams{Email: "gm@example.com", Password: "correct horse battery", DisplayName: "GM"})
			if err != nil {
				t.Fatal(err)
			}
			c, err := svc.CreateCampaign(ctx, u.ID, service.CampaignParams{Name: "C"})
			if err != nil {
				t.Fatal(err)
			}
			gs, err := svc.CreateSession(ctx, u.ID, c.ID, service.SessionParams{Title: "One"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.StartSession(ctx, u.ID, gs.ID); err != nil {
				t.Fatal(err)
			}
			n.sessionID = gs.ID
			n.take()

			seed := uint64(11)
			opt := service.GenerateOptions{Seed: &seed, Save: true}
			params := service.LocationGenerateParams{Type: "village"}
			if _, err := broken.GenerateLocation(ctx, u.ID, c.ID, params, opt); !errors.Is(err, gmc.ErrInvalid) {
				t.Fatalf("saving a draft with a nameless inhabitant: %v", err)
			}
			locs, _, err := svc.Locations(ctx, u.ID, service.LocationQuery{CampaignID: c.ID, Subtree: true})
			if err != nil {
				t.Fatal(err)
			}
			chars, _, err := svc.Characters(ctx, u.ID, service.CharacterQuery{CampaignID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(locs) != 0 || len(chars) != 0 {
				t.Fatalf("a failed save left %d locations and %d characters", len(locs), len(chars))
			}
			wantNotices(t, n)

			g, err := svc.GenerateLocation(ctx, u.ID, c.ID, params, opt)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"create location gm"}
			for range g.Inhabitants {
				want = append(want, "create character gm")
			}
			if len(g.Inhabitants) < 2 {
				t.Fatalf("%d inhabitants stored", len(g.Inhabitants))
			}
			wantNotices(t, n, want...)
			events, _, err := svc.Events(ctx, u.ID, service.EventQuery{CampaignID: c.ID, EntityID: g.Location.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != 1 || events[0].Action != gmc.ActionCreate {
				t.Errorf("audit of the saved location: %+v", events)
			}
		})
	}
}
