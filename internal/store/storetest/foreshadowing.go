package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// mustPlant stores an unrevealed foreshadowing item of p planted in gs
// (nil: between sessions, at number 0).
func mustPlant(t testing.TB, s store.Store, p *gmc.PlotThread, description string, gs *gmc.GameSession) *gmc.Foreshadowing {
	t.Helper()
	ts := now()
	f := &gmc.Foreshadowing{ID: newID(t), CampaignID: p.CampaignID, PlotID: p.ID, Description: description, CreatedAt: ts, UpdatedAt: ts}
	if gs != nil {
		f.PlantedSessionID, f.PlantedSessionNumber = &gs.ID, gs.Number
	}
	if err := s.CreateForeshadowing(context.Background(), f, newEvent(t, p.CampaignID, newID(t), gmc.ActionCreate, "foreshadowing", f.ID, f)); err != nil {
		t.Fatalf("CreateForeshadowing(%s) = %v", description, err)
	}
	return f
}

func testForeshadowing(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("PlantRevealDelete", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		p := mustCreatePlot(t, s, c, "P")
		gs := playSession(t, s, c)
		f := mustPlant(t, s, p, "A raven watches", gs)
		g := mustPlant(t, s, p, "The wine tastes of iron", nil)
		got, err := s.Foreshadowing(ctx, f.ID)
		wantErr(t, "Foreshadowing", err, nil)
		if diff := cmp.Diff(f, got); diff != "" || got.Version != 1 || got.PlantedSessionNumber != 1 {
			t.Errorf("Foreshadowing mismatch (-want +got):\n%s", diff)
		}
		stale := *g
		at := now()
		g.Revealed, g.RevealedSessionID, g.RevealedAt, g.UpdatedAt = true, &gs.ID, &at, at
		wantErr(t, "UpdateForeshadowing(reveal)", s.UpdateForeshadowing(ctx, g, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "foreshadowing", g.ID, g)), nil)
		if got, _ := s.Foreshadowing(ctx, g.ID); !cmp.Equal(g, got) || got.Version != 2 {
			t.Errorf("after reveal (-want +got):\n%s", cmp.Diff(g, got))
		}
		wantCode(t, "UpdateForeshadowing(stale)", s.UpdateForeshadowing(ctx, &stale, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "foreshadowing", g.ID, nil)), "stale_version")

		all, err := s.Foreshadowings(ctx, p.ID, false)
		wantErr(t, "Foreshadowings", err, nil)
		revealed, _ := s.Foreshadowings(ctx, p.ID, true)
		if len(all) != 2 || all[0].ID != f.ID || len(revealed) != 1 || revealed[0].ID != g.ID {
			t.Errorf("items: all %d, revealed %d", len(all), len(revealed))
		}
		if none, err := s.Foreshadowings(ctx, newID(t), false); err != nil || len(none) != 0 {
			t.Errorf("Foreshadowings(unknown plot) = %v, %v", none, err)
		}

		wantCode(t, "DeleteForeshadowing(stale)", s.DeleteForeshadowing(ctx, &stale, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "foreshadowing", g.ID, nil)), "stale_version")
		wantErr(t, "DeleteForeshadowing", s.DeleteForeshadowing(ctx, g, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "foreshadowing", g.ID, nil)), nil)
		_, err = s.Foreshadowing(ctx, g.ID)
		wantErr(t, "Foreshadowing(deleted)", err, gmc.ErrNotFound)
		if events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "foreshadowing"}); len(events) != 4 {
			t.Errorf("foreshadowing audit events = %d, want 4 (2 plants, reveal, delete)", len(events))
		}
	})
	t.Run("PlotOfAnotherCampaign", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c, other := mustCreateCampaign(t, s, gm, "C"), mustCreateCampaign(t, s, gm, "Other")
		p := mustCreatePlot(t, s, other, "Theirs")
		f := &gmc.Foreshadowing{ID: newID(t), CampaignID: c.ID, PlotID: p.ID, Description: "x", CreatedAt: now(), UpdatedAt: now()}
		wantErr(t, "CreateForeshadowing", s.CreateForeshadowing(ctx, f, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "foreshadowing", f.ID, nil)), gmc.ErrNotFound)
	})
}
