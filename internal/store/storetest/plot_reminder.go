package storetest

import (
	"context"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
)

func testPlotReminders(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("UntouchedForNSessions", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c, other := mustCreateCampaign(t, s, gm, "C"), mustCreateCampaign(t, s, gm, "Other")
		touched := func(n int) func(*gmc.PlotThread) {
			return func(p *gmc.PlotThread) { p.LastTouchedSessionNumber = n }
		}
		hook := mustCreatePlot(t, s, c, "Hook", withPlotStatus(gmc.PlotHook))
		mustCreatePlot(t, s, c, "Active at 2", touched(2))
		mustCreatePlot(t, s, c, "Stalled", withPlotStatus(gmc.PlotStalled))
		resolved := mustCreatePlot(t, s, c, "Resolved", withPlotStatus(gmc.PlotResolved))
		old := mustPlant(t, s, hook, "old hint", nil)
		revealed := mustPlant(t, s, hook, "revealed hint", nil)
		revealed.Revealed, revealed.UpdatedAt = true, now()
		if err := s.UpdateForeshadowing(ctx, revealed, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "foreshadowing", revealed.ID, nil)); err != nil {
			t.Fatal(err)
		}
		mustPlant(t, s, resolved, "hint of a closed thread", nil)

		check := func(latest int, plots, hints []string) {
			t.Helper()
			n, err := s.PlayedSessionNumber(ctx, c.ID)
			wantErr(t, "PlayedSessionNumber", err, nil)
			r, err := s.PlotReminders(ctx, c.ID, 3)
			wantErr(t, "PlotReminders", err, nil)
			if n != latest || r.LatestSessionNumber != latest || r.ReminderSessions != 3 {
				t.Errorf("latest = %d / %d, want %d", n, r.LatestSessionNumber, latest)
			}
			var gotPlots, gotHints []string
			for _, p := range r.Plots {
				gotPlots = append(gotPlots, p.Plot.Title)
				if p.SessionsUntouched != latest-p.LastTouchedSessionNumber || p.SessionsUntouched < 3 {
					t.Errorf("reminder %+v at latest %d", p, latest)
				}
			}
			for _, f := range r.Foreshadowing {
				gotHints = append(gotHints, f.Foreshadowing.Description)
				if f.Plot.ID != f.Foreshadowing.PlotID || f.Plot.Title == "" || f.SessionsSincePlanted < 3 {
					t.Errorf("foreshadowing reminder %+v", f)
				}
			}
			wantNames(t, "plots due", plots, gotPlots)
			wantNames(t, "foreshadowing due", hints, gotHints)
		}
		check(0, nil, nil)
		playSession(t, s, c)
		playSession(t, s, c)
		mustCreateSession(t, s, c, "scheduled, not played") // does not count
		for range 5 {
			playSession(t, s, other) // nor do other campaigns' sessions
		}
		check(2, nil, nil)
		if third := playSession(t, s, c); third.Number != 4 {
			t.Fatalf("third played session numbered %d", third.Number)
		}
		check(4, []string{"Hook"}, []string{old.Description})
		playSession(t, s, c)
		check(5, []string{"Hook", "Active at 2"}, []string{old.Description})
	})
}
