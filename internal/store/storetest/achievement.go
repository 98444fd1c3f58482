package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func mustAward(t testing.TB, s store.Store, ch *gmc.Character, title string, sessionID *string) *gmc.Achievement {
	t.Helper()
	ts := now()
	a := &gmc.Achievement{ID: newID(t), CampaignID: ch.CampaignID, CharacterID: ch.ID, Title: title, SessionID: sessionID,
		AwardedAt: ts.Add(-24 * time.Hour), AwardedBy: newID(t), CreatedAt: ts}
	if err := s.CreateAchievement(context.Background(), a, newEvent(t, ch.CampaignID, a.AwardedBy, gmc.ActionCreate, "achievement", a.ID, a)); err != nil {
		t.Fatalf("CreateAchievement(%s) = %v", title, err)
	}
	return a
}

func testAchievement(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("AwardAndList", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		hero, other := mustCreateCharacter(t, s, c, "Hero"), mustCreateCharacter(t, s, c, "Other")
		gs := mustCreateSession(t, s, c, "Session 1")
		var want []*gmc.Achievement
		for i := range 3 {
			want = append(want, mustAward(t, s, hero, fmt.Sprint("Deed ", i), &gs.ID))
		}
		mustAward(t, s, other, "Not the hero's", nil)
		var got []*gmc.Achievement
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("pagination does not end")
			}
			list, next, err := s.Achievements(ctx, hero.ID, gmc.Page{Limit: 2, Cursor: cursor})
			wantErr(t, "Achievements", err, nil)
			got = append(got, list...)
			if cursor = next; next == "" {
				break
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Achievements mismatch (-want +got):\n%s", diff)
		}
		events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "achievement"})
		if len(events) != 4 {
			t.Errorf("achievement events = %d, want 4", len(events))
		}
	})
	t.Run("References", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		elsewhere := mustCreateCampaign(t, s, gm, "Elsewhere")
		hero := mustCreateCharacter(t, s, c, "Hero")
		stranger := mustCreateCharacter(t, s, elsewhere, "Stranger")
		award := func(ch *gmc.Character, campaignID string, sessionID *string) error {
			a := &gmc.Achievement{ID: newID(t), CampaignID: campaignID, CharacterID: ch.ID, Title: "X", SessionID: sessionID, AwardedAt: now(), AwardedBy: gm.ID, CreatedAt: now()}
			return s.CreateAchievement(ctx, a, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "achievement", a.ID, nil))
		}
		wantErr(t, "CreateAchievement(character of another campaign)", award(stranger, c.ID, nil), gmc.ErrNotFound)
		unknown := newID(t)
		wantErr(t, "CreateAchievement(unknown session)", award(hero, c.ID, &unknown), gmc.ErrNotFound)

		gs := mustCreateSession(t, s, c, "Doomed session")
		a := mustAward(t, s, hero, "Kept", &gs.ID)
		wantErr(t, "DeleteSession", s.DeleteSession(ctx, gs.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "session", gs.ID, nil)), nil)
		list, _, _ := s.Achievements(ctx, hero.ID, gmc.Page{})
		if len(list) != 1 || list[0].ID != a.ID || list[0].SessionID != nil {
			t.Errorf("achievements after their session is deleted = %+v, want %s kept without session", list, a.ID)
		}
	})
}

// testMemberAchievements checks MemberAchievements: a character hidden
// from the caller, or in a campaign the caller is not in, is not found,
// and a change of membership shows on the very next read.
func testMemberAchievements(t *testing.T, open OpenFunc) {
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	player := mustCreateUser(t, s, "p@example.com")
	stranger := mustCreateUser(t, s, "s@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	mustAddMember(t, s, c, player, gmc.RolePlayer)
	hero, novice, villain := mustCreateCharacter(t, s, c, "Hero"), mustCreateCharacter(t, s, c, "Novice"), mustCreateCharacter(t, s, c, "Villain", hidden)
	first, second := mustAward(t, s, hero, "Slew the dragon", nil), mustAward(t, s, hero, "Saved the town", nil)
	scheme := mustAward(t, s, villain, "Schemed", nil)
	type read = memberRead[[2]string] // character id, page cursor
	both := []string{first.ID, second.ID}
	runMemberReads(t, "MemberAchievements", []read{
		{name: "gm", user: gm.ID, f: [2]string{hero.ID}, want: both, role: gmc.RoleGM},
		{name: "player", user: player.ID, f: [2]string{hero.ID}, want: both, role: gmc.RolePlayer},
		{name: "page", user: player.ID, f: [2]string{hero.ID, first.ID}, want: []string{second.ID}, role: gmc.RolePlayer},
		{name: "no achievements", user: player.ID, f: [2]string{novice.ID}, role: gmc.RolePlayer},
		{name: "gm, hidden character", user: gm.ID, f: [2]string{villain.ID}, want: []string{scheme.ID}, role: gmc.RoleGM},
		{name: "player, hidden character", user: player.ID, f: [2]string{villain.ID}, err: gmc.ErrNotFound},
		{name: "stranger", user: stranger.ID, f: [2]string{hero.ID}, err: gmc.ErrNotFound},
		{name: "stranger, no achievements", user: stranger.ID, f: [2]string{novice.ID}, err: gmc.ErrNotFound},
		{name: "stranger, bad cursor", user: stranger.ID, f: [2]string{hero.ID, "nope"}, err: gmc.ErrNotFound},
		{name: "unknown character", user: gm.ID, f: [2]string{newID(t)}, err: gmc.ErrNotFound},
		{name: "not an id", user: gm.ID, f: [2]string{"nope"}, err: gmc.ErrNotFound},
		{name: "promoted", change: setRole(t, s, c, player, gmc.RoleGM), user: player.ID, f: [2]string{villain.ID}, want: []string{scheme.ID}, role: gmc.RoleGM},
		{name: "downgraded", change: setRole(t, s, c, player, gmc.RoleObserver), user: player.ID, f: [2]string{villain.ID}, err: gmc.ErrNotFound},
		{name: "downgraded, visible character", user: player.ID, f: [2]string{hero.ID}, want: both, role: gmc.RoleObserver},
		{name: "removed", change: setRole(t, s, c, player, ""), user: player.ID, f: [2]string{hero.ID}, err: gmc.ErrNotFound},
	}, func(user string, f [2]string) ([]string, gmc.Role, error) {
		list, _, role, err := s.MemberAchievements(context.Background(), user, f[0], gmc.Page{Cursor: f[1]})
		ids := make([]string, len(list))
		for i, a := range list {
			ids[i] = a.ID
		}
		return ids, role, err
	})
}
