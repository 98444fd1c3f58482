package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// dependOn makes p depend on up.
func dependOn(t testing.TB, s store.Store, p, up *gmc.PlotThread) error {
	t.Helper()
	d := &gmc.PlotDependency{CampaignID: p.CampaignID, PlotID: p.ID, DependsOnID: up.ID, CreatedAt: now()}
	return s.AddPlotDependency(context.Background(), d, newEvent(t, p.CampaignID, newID(t), gmc.ActionCreate, "plot_dependency", p.ID, d))
}

func mustDepend(t testing.TB, s store.Store, p, up *gmc.PlotThread) {
	t.Helper()
	if err := dependOn(t, s, p, up); err != nil {
		t.Fatalf("AddPlotDependency(%s → %s) = %v", p.Title, up.Title, err)
	}
}

func testPlotDependency(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (store.Store, *gmc.Campaign) {
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		return s, mustCreateCampaign(t, s, gm, "C")
	}
	t.Run("WalkUpAndDown", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		a, b, cc, d := mustCreatePlot(t, s, c, "A"), mustCreatePlot(t, s, c, "B", gmOnlyPlot), mustCreatePlot(t, s, c, "C"), mustCreatePlot(t, s, c, "D")
		mustDepend(t, s, a, b)  // A waits on B
		mustDepend(t, s, b, cc) // B waits on C
		mustDepend(t, s, a, d)  // A waits on D
		mustDepend(t, s, d, cc) // D waits on C: C is 2 away from A either way
		deps, err := s.PlotDependencies(ctx, a.ID, false)
		wantErr(t, "PlotDependencies(A)", err, nil)
		wantNames(t, "upstream of A", []string{"B", "D", "C"}, refTitles(deps.Upstream))
		if deps.Upstream[2].Depth != 2 || deps.Upstream[0].Depth != 1 || len(deps.Downstream) != 0 {
			t.Errorf("upstream of A = %+v, downstream %+v", deps.Upstream, deps.Downstream)
		}
		deps, _ = s.PlotDependencies(ctx, cc.ID, false)
		wantNames(t, "downstream of C", []string{"B", "D", "A"}, refTitles(deps.Downstream))
		deps, _ = s.PlotDependencies(ctx, a.ID, true)
		wantNames(t, "upstream of A for players (not through hidden B)", []string{"D", "C"}, refTitles(deps.Upstream))
		_, err = s.PlotDependencies(ctx, newID(t), false)
		wantErr(t, "PlotDependencies(unknown)", err, gmc.ErrNotFound)
	})
	t.Run("RefusesCycles", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		a, b, cc := mustCreatePlot(t, s, c, "Heist"), mustCreatePlot(t, s, c, "Find the key"), mustCreatePlot(t, s, c, "Bribe the guard")
		mustDepend(t, s, a, b)
		mustDepend(t, s, b, cc)
		err := dependOn(t, s, cc, a)
		wantCode(t, "AddPlotDependency(closing a cycle)", err, "dependency_cycle")
		want := `"Bribe the guard" (` + cc.ID + `) → "Heist" (` + a.ID + `) → "Find the key" (` + b.ID + `) → "Bribe the guard" (` + cc.ID + `)`
		if !strings.Contains(err.Error(), want) {
			t.Errorf("cycle error = %q, want it to name %s", err, want)
		}
		wantCode(t, "AddPlotDependency(self)", dependOn(t, s, a, a), "dependency_cycle")
		wantCode(t, "AddPlotDependency(twice)", dependOn(t, s, a, b), "dependency_exists")
		foreign := mustCreatePlot(t, s, mustCreateCampaign(t, s, mustCreateUser(t, s, "o@example.com"), "Other"), "Foreign")
		wantErr(t, "AddPlotDependency(other campaign)", dependOn(t, s, a, foreign), gmc.ErrNotFound)
		missing := &gmc.PlotThread{ID: newID(t), CampaignID: c.ID, Title: "Missing"}
		wantErr(t, "AddPlotDependency(unknown)", dependOn(t, s, a, missing), gmc.ErrNotFound)
		deps, _ := s.PlotDependencies(ctx, a.ID, false)
		wantNames(t, "upstream of Heist after refusals", []string{"Find the key", "Bribe the guard"}, refTitles(deps.Upstream))
		if events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "plot_dependency"}); len(events) != 2 {
			t.Errorf("dependency audit events = %d, want 2", len(events))
		}
	})
	t.Run("Remove", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		a, b := mustCreatePlot(t, s, c, "A"), mustCreatePlot(t, s, c, "B")
		mustDepend(t, s, a, b)
		d := &gmc.PlotDependency{CampaignID: c.ID, PlotID: a.ID, DependsOnID: b.ID}
		ev := func() *gmc.Event {
			return newEvent(t, c.ID, c.CreatedBy, gmc.ActionDelete, "plot_dependency", a.ID, nil)
		}
		wantErr(t, "RemovePlotDependency", s.RemovePlotDependency(ctx, d, ev()), nil)
		if got, _ := s.Plot(ctx, a.ID, false); len(got.BlockedBy) != 0 {
			t.Errorf("blocked_by after removal = %v", got.BlockedBy)
		}
		wantErr(t, "RemovePlotDependency(again)", s.RemovePlotDependency(ctx, d, ev()), gmc.ErrNotFound)
		mustDepend(t, s, b, a) // the reverse edge is fine now
	})
	t.Run("ConcurrentEdgesCloseNoCycle", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		a, b := mustCreatePlot(t, s, c, "A"), mustCreatePlot(t, s, c, "B")
		errs := make(chan error, 2)
		go func() { errs <- dependOn(t, s, a, b) }()
		go func() { errs <- dependOn(t, s, b, a) }()
		var ok, cycles int
		for range 2 {
			err := <-errs
			var e *gmc.Error
			switch {
			case err == nil:
				ok++
			case errors.As(err, &e) && e.Code == "dependency_cycle":
				cycles++
			default:
				t.Errorf("AddPlotDependency = %v", err)
			}
		}
		if ok != 1 || cycles != 1 {
			t.Errorf("concurrent opposite edges: %d added, %d refused; want 1 and 1", ok, cycles)
		}
	})
}
