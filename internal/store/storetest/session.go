package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func mustCreateSession(t testing.TB, s store.Store, c *gmc.Campaign, title string) *gmc.GameSession {
	t.Helper()
	ts := now()
	gs := &gmc.GameSession{ID: newID(t), CampaignID: c.ID, Title: title, Status: gmc.SessionScheduled, CreatedAt: ts, UpdatedAt: ts}
	if err := s.CreateSession(context.Background(), gs, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "session", gs.ID, gs)); err != nil {
		t.Fatalf("CreateSession(%s) = %v", title, err)
	}
	return gs
}

func testSession(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("NumbersPerCampaign", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		a, b := mustCreateCampaign(t, s, gm, "A"), mustCreateCampaign(t, s, gm, "B")
		for i, want := range []int{1, 2, 3} {
			if got := mustCreateSession(t, s, a, "a").Number; got != want {
				t.Errorf("session %d of A numbered %d, want %d", i, got, want)
			}
		}
		if got := mustCreateSession(t, s, b, "b").Number; got != 1 {
			t.Errorf("first session of B numbered %d, want 1", got)
		}
		list, next, err := s.Sessions(ctx, store.SessionFilter{CampaignID: a.ID, Page: gmc.Page{Limit: 2}})
		wantErr(t, "Sessions", err, nil)
		rest, _, _ := s.Sessions(ctx, store.SessionFilter{CampaignID: a.ID, Page: gmc.Page{Limit: 2, Cursor: next}})
		if len(list) != 2 || len(rest) != 1 || list[0].Number != 1 || rest[0].Number != 3 {
			t.Errorf("paged sessions = %d + %d", len(list), len(rest))
		}
	})
	t.Run("ConcurrentCreatesGetDistinctNumbers", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		var wg sync.WaitGroup
		numbers := make([]int, 8)
		for i := range numbers {
			wg.Go(func() { numbers[i] = mustCreateSession(t, s, c, "x").Number })
		}
		wg.Wait()
		seen := map[int]bool{}
		for _, n := range numbers {
			if seen[n] || n < 1 || n > len(numbers) {
				t.Fatalf("numbers = %v, want 1..%d each once", numbers, len(numbers))
			}
			seen[n] = true
		}
	})
	t.Run("OneLivePerCampaign", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		first, second := mustCreateSession(t, s, c, "1"), mustCreateSession(t, s, c, "2")
		ev := func(id string) *gmc.Event { return newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "session", id, nil) }
		started := now()
		first.Status, first.StartedAt = gmc.SessionLive, &started
		wantErr(t, "start first", s.UpdateSession(ctx, first, ev(first.ID)), nil)
		second.Status = gmc.SessionLive
		wantCode(t, "start second", s.UpdateSession(ctx, second, ev(second.ID)), "session_live")
		got, _ := s.Session(ctx, second.ID)
		if got.Status != gmc.SessionScheduled || got.Version != 1 {
			t.Errorf("refused start changed the session: %+v", got)
		}
		first.Status = gmc.SessionEnded
		wantErr(t, "end first", s.UpdateSession(ctx, first, ev(first.ID)), nil)
		wantErr(t, "start second after", s.UpdateSession(ctx, second, ev(second.ID)), nil)
		live, _, _ := s.Sessions(ctx, store.SessionFilter{CampaignID: c.ID, Status: gmc.SessionLive})
		if len(live) != 1 || live[0].ID != second.ID {
			t.Errorf("live sessions = %+v", live)
		}
		got, _ = s.Session(ctx, first.ID)
		if got.StartedAt == nil || !got.StartedAt.Equal(started) {
			t.Errorf("started_at = %v, want %v", got.StartedAt, started)
		}
	})
	t.Run("StaleAndDelete", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		gs := mustCreateSession(t, s, c, "1")
		stale := *gs
		gs.Notes = "The party met Sildar."
		wantErr(t, "UpdateSession", s.UpdateSession(ctx, gs, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "session", gs.ID, nil)), nil)
		wantCode(t, "UpdateSession(stale)", s.UpdateSession(ctx, &stale, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "session", gs.ID, nil)), "stale_version")
		wantErr(t, "DeleteSession", s.DeleteSession(ctx, gs.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "session", gs.ID, nil)), nil)
		_, err := s.Session(ctx, gs.ID)
		wantErr(t, "Session(deleted)", err, gmc.ErrNotFound)
		wantErr(t, "DeleteSession(again)", s.DeleteSession(ctx, gs.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "session", gs.ID, nil)), gmc.ErrNotFound)
	})
}

// testMemberSessions checks MemberSessions: the caller's role comes with
// the list, and a change of membership shows on the very next read.
func testMemberSessions(t *testing.T, open OpenFunc) {
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	player := mustCreateUser(t, s, "p@example.com")
	stranger := mustCreateUser(t, s, "s@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	empty := mustCreateCampaign(t, s, gm, "Empty")
	mustAddMember(t, s, c, player, gmc.RolePlayer)
	mustAddMember(t, s, empty, player, gmc.RolePlayer)
	first, second := mustCreateSession(t, s, c, "One"), mustCreateSession(t, s, c, "Two")
	second.Status, second.UpdatedAt = gmc.SessionEnded, now()
	wantErr(t, "UpdateSession", s.UpdateSession(context.Background(), second, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "session", second.ID, nil)), nil)
	all := store.SessionFilter{CampaignID: c.ID}
	runMemberReads(t, "MemberSessions", []memberRead[store.SessionFilter]{
		{name: "gm", user: gm.ID, f: all, want: []string{first.ID, second.ID}, role: gmc.RoleGM},
		{name: "player", user: player.ID, f: all, want: []string{first.ID, second.ID}, role: gmc.RolePlayer},
		{name: "status", user: player.ID, f: store.SessionFilter{CampaignID: c.ID, Status: gmc.SessionEnded}, want: []string{second.ID}, role: gmc.RolePlayer},
		{name: "page", user: player.ID, f: store.SessionFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 1, Cursor: first.ID}}, want: []string{second.ID}, role: gmc.RolePlayer},
		{name: "member, no match", user: player.ID, f: store.SessionFilter{CampaignID: c.ID, Status: gmc.SessionLive}, role: gmc.RolePlayer},
		{name: "member, empty campaign", user: player.ID, f: store.SessionFilter{CampaignID: empty.ID}, role: gmc.RolePlayer},
		{name: "stranger", user: stranger.ID, f: all, err: gmc.ErrNotFound},
		{name: "stranger, no match", user: stranger.ID, f: store.SessionFilter{CampaignID: c.ID, Status: gmc.SessionLive}, err: gmc.ErrNotFound},
		{name: "stranger, bad cursor", user: stranger.ID, f: store.SessionFilter{CampaignID: c.ID, Page: gmc.Page{Cursor: "nope"}}, err: gmc.ErrNotFound},
		{name: "unknown campaign", user: gm.ID, f: store.SessionFilter{CampaignID: newID(t)}, err: gmc.ErrNotFound},
		{name: "not an id", user: gm.ID, f: store.SessionFilter{CampaignID: "nope"}, err: gmc.ErrNotFound},
		{name: "downgraded", change: setRole(t, s, c, player, gmc.RoleObserver), user: player.ID, f: all, want: []string{first.ID, second.ID}, role: gmc.RoleObserver},
		{name: "promoted", change: setRole(t, s, c, player, gmc.RoleGM), user: player.ID, f: all, want: []string{first.ID, second.ID}, role: gmc.RoleGM},
		{name: "removed", change: setRole(t, s, c, player, ""), user: player.ID, f: all, err: gmc.ErrNotFound},
		{name: "removed, no match", user: player.ID, f: store.SessionFilter{CampaignID: c.ID, Status: gmc.SessionLive}, err: gmc.ErrNotFound},
	}, func(user string, f store.SessionFilter) ([]string, gmc.Role, error) {
		list, _, role, err := s.MemberSessions(context.Background(), user, f)
		ids := make([]string, len(list))
		for i, gs := range list {
			ids[i] = gs.ID
		}
		return ids, role, err
	})
}
