package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/live"
	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store/sqlite"
)

// notices reads what a live table announced to a session: entity.changed
// messages, from the replay window of the table's broker.
type notices struct {
	t         *testing.T
	broker    realtime.Broker
	sessionID string
	seq       int64
}

// newNotices builds a live table on a real hub and in-memory broker.
func newNotices(t *testing.T, st live.Store) (*live.Table, *notices) {
	t.Helper()
	broker := realtime.NewMemoryBroker(realtime.BrokerOpts{})
	hub, err := realtime.NewHub(realtime.HubOpts{Broker: broker})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		hub.Close()
		broker.Close()
	})
	table, err := live.New(live.Config{Store: st, Hub: hub, Broker: broker})
	if err != nil {
		t.Fatal(err)
	}
	return table, &notices{t: t, broker: broker}
}

// take renders the entity.changed messages since the previous call as
// "action type audience", the audience being "gm" for what players are not
// sent.
func (n *notices) take() []string {
	n.t.Helper()
	msgs, ok, err := n.broker.Replay(context.Background(), n.sessionID, n.seq)
	if err != nil || !ok {
		n.t.Fatalf("replay: ok=%v err=%v", ok, err)
	}
	var out []string
	for _, m := range msgs {
		n.seq = m.Seq
		if m.Type != realtime.TypeEntityChanged {
			continue
		}
		var c live.EntityChanged
		if err := json.Unmarshal(m.Data, &c); err != nil {
			n.t.Fatal(err)
		}
		who := "players"
		if !m.Audience.Allows("", realtime.RolePlayer) {
			who = "gm"
		}
		out = append(out, fmt.Sprintf("%s %s %s", c.Action, c.Type, who))
	}
	return out
}

// TestLocationAndPlotChangeNotices checks that every committed write of a
// location, plot thread, dependency or foreshadowing item is announced,
// and to whom: players hear of what they may see, or saw before the change.
func TestLocationAndPlotChangeNotices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "gmc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	table, n := newNotices(t, st)
	svc, err := service.New(service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), Live: table,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.Register(ctx, service.RegisterParams{Email: "gm@example.com", Password: "correct horse battery", DisplayName: "GM"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateCampaign(ctx, u.ID, service.CampaignParams{Name: "C"})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Changes are announced to the campaign's live session.
	gs, err := svc.CreateSession(ctx, u.ID, c.ID, service.SessionParams{Title: "One"})
	must(err)
	_, err = svc.StartSession(ctx, u.ID, gs.ID)
	must(err)
	n.sessionID = gs.ID
	n.take()
	hidden, err := svc.CreateLocation(ctx, u.ID, c.ID, service.LocationParams{Name: "Hidden"})
	must(err)
	below, err := svc.CreateLocation(ctx, u.ID, c.ID, service.LocationParams{Name: "Below", ParentID: &hidden.ID, Visibility: gmc.VisiblePlayers})
	must(err)
	_, err = svc.MoveLocation(ctx, u.ID, below.ID, nil, 0)
	must(err)
	gmOnly := gmc.VisibleGM
	_, err = svc.UpdateLocation(ctx, u.ID, below.ID, service.LocationUpdate{Visibility: &gmOnly})
	must(err)
	must(svc.DeleteLocation(ctx, u.ID, hidden.ID, false, 0))
	wantNotices(t, n, "create location gm", "create location gm", "update location players", "update location players", "delete location gm")

	a, err := svc.CreatePlot(ctx, u.ID, c.ID, service.PlotParams{Title: "A", Visibility: gmc.VisiblePlayers})
	must(err)
	b, err := svc.CreatePlot(ctx, u.ID, c.ID, service.PlotParams{Title: "B"})
	must(err)
	_, err = svc.UpdatePlot(ctx, u.ID, a.ID, service.PlotUpdate{Visibility: &gmOnly})
	must(err)
	_, err = svc.UpdatePlotProgress(ctx, u.ID, b.ID, service.ProgressParams{Progress: 5, Status: gmc.PlotActive})
	must(err)
	_, err = svc.AddPlotDependency(ctx, u.ID, a.ID, b.ID)
	must(err)
	must(svc.RemovePlotDependency(ctx, u.ID, a.ID, b.ID))
	f, err := svc.CreateForeshadowing(ctx, u.ID, b.ID, service.ForeshadowingParams{Description: "hint"})
	must(err)
	revealed := true
	_, err = svc.UpdateForeshadowing(ctx, u.ID, f.ID, service.ForeshadowingUpdate{Revealed: &revealed})
	must(err)
	must(svc.DeleteForeshadowing(ctx, u.ID, f.ID, 0))
	must(svc.DeletePlot(ctx, u.ID, a.ID, 0))
	wantNotices(t, n, "create plot players", "create plot gm", "update plot players", "update plot gm", "update plot gm", "update plot gm",
		"create foreshadowing gm", "update foreshadowing gm", "delete foreshadowing gm", "delete plot gm")
}

func wantNotices(t *testing.T, n *notices, want ...string) {
	t.Helper()
	if diff := cmp.Diff(want, n.take()); diff != "" {
		t.Errorf("change notices (-want +got):\n%s", diff)
	}
}
