package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func testUsage(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("AddsPerCampaignAndMonth", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		a, b := mustCreateCampaign(t, s, gm, "A"), mustCreateCampaign(t, s, gm, "B")
		steps := []struct {
			campaign, month string
			add, want       gmc.Usage
		}{
			{a.ID, "2026-11", gmc.Usage{AITokens: 120}, gmc.Usage{AITokens: 120}},
			{a.ID, "2026-11", gmc.Usage{AudioMS: 2500}, gmc.Usage{AITokens: 120, AudioMS: 2500}},
			{a.ID, "2026-11", gmc.Usage{AITokens: 30, AudioMS: 500}, gmc.Usage{AITokens: 150, AudioMS: 3000}},
			// Another month and another campaign start from zero.
			{a.ID, "2026-12", gmc.Usage{AITokens: 7}, gmc.Usage{AITokens: 7}},
			{b.ID, "2026-11", gmc.Usage{AudioMS: 1}, gmc.Usage{AudioMS: 1}},
			// Adding nothing reads the totals.
			{a.ID, "2026-11", gmc.Usage{}, gmc.Usage{AITokens: 150, AudioMS: 3000}},
		}
		for _, st := range steps {
			got, err := s.AddCampaignUsage(ctx, st.campaign, st.month, st.add)
			wantErr(t, "AddCampaignUsage", err, nil)
			if got != st.want {
				t.Errorf("AddCampaignUsage(%s, %+v) = %+v, want %+v", st.month, st.add, got, st.want)
			}
		}
		for _, r := range []struct {
			campaign, month string
			want            gmc.Usage
		}{
			{a.ID, "2026-11", gmc.Usage{AITokens: 150, AudioMS: 3000}},
			{a.ID, "2026-12", gmc.Usage{AITokens: 7}},
			{b.ID, "2026-11", gmc.Usage{AudioMS: 1}},
			{b.ID, "2026-12", gmc.Usage{}},
			{newID(t), "2026-11", gmc.Usage{}},
			{"not-an-id", "2026-11", gmc.Usage{}},
		} {
			got, err := s.CampaignUsage(ctx, r.campaign, r.month)
			wantErr(t, "CampaignUsage", err, nil)
			if got != r.want {
				t.Errorf("CampaignUsage(%s) = %+v, want %+v", r.month, got, r.want)
			}
		}
	})
	t.Run("UnknownCampaign", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		for _, id := range []string{newID(t), "not-an-id"} {
			_, err := s.AddCampaignUsage(ctx, id, "2026-11", gmc.Usage{AITokens: 1})
			wantErr(t, "AddCampaignUsage(unknown campaign)", err, gmc.ErrNotFound)
		}
	})
	t.Run("ConcurrentAdditionsAllCount", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		const writers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for range writers {
			wg.Go(func() {
				for range each {
					if _, err := s.AddCampaignUsage(ctx, c.ID, "2026-11", gmc.Usage{AITokens: 3, AudioMS: 5}); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("AddCampaignUsage = %v", err)
		}
		got, err := s.CampaignUsage(ctx, c.ID, "2026-11")
		wantErr(t, "CampaignUsage", err, nil)
		if want := (gmc.Usage{AITokens: 3 * writers * each, AudioMS: 5 * writers * each}); got != want {
			t.Errorf("after %d concurrent additions: %+v, want %+v", writers*each, got, want)
		}
	})
	t.Run("InTxRollsBack", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		err := s.InTx(ctx, func(tx store.Store) error {
			if _, err := tx.AddCampaignUsage(ctx, c.ID, "2026-11", gmc.Usage{AITokens: 9}); err != nil {
				return err
			}
			return gmc.ErrConflict
		})
		wantErr(t, "InTx", err, gmc.ErrConflict)
		if got, _ := s.CampaignUsage(ctx, c.ID, "2026-11"); got != (gmc.Usage{}) {
			t.Errorf("after a rolled back addition: %+v", got)
		}
	})
	t.Run("GoesWithTheCampaign", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		if _, err := s.AddCampaignUsage(ctx, c.ID, "2026-11", gmc.Usage{AITokens: 9}); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "DeleteCampaign", s.DeleteCampaign(ctx, c.ID), nil)
		if got, _ := s.CampaignUsage(ctx, c.ID, "2026-11"); got != (gmc.Usage{}) {
			t.Errorf("usage of a deleted campaign: %+v", got)
		}
	})
}
