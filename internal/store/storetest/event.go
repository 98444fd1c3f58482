package storetest

import (
	"context"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func testEvent(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("FilterAndPage", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		for range 4 {
			c.Description += "x"
			if err := s.UpdateCampaign(ctx, c, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "campaign", c.ID, c)); err != nil {
				t.Fatal(err)
			}
		}
		p := mustCreateUser(t, s, "p@example.com")
		mustAddMember(t, s, c, p, gmc.RoleObserver)

		all, _, err := s.Events(ctx, store.EventFilter{CampaignID: c.ID})
		wantErr(t, "Events", err, nil)
		if len(all) != 7 { // create, 4 updates, invite, member
			t.Fatalf("Events = %d, want 7", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i-1].ID < all[i].ID {
				t.Errorf("events not newest first at %d", i)
			}
		}
		if all[len(all)-1].Action != gmc.ActionCreate || len(all[len(all)-1].After) == 0 {
			t.Errorf("oldest event = %+v, want the create with its after state", all[len(all)-1])
		}
		upd, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "campaign", EntityID: c.ID})
		if len(upd) != 5 {
			t.Errorf("campaign events = %d, want 5", len(upd))
		}
		byActor, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, ActorID: p.ID})
		if len(byActor) != 1 || byActor[0].EntityType != "member" {
			t.Errorf("events by player = %+v", byActor)
		}
		page1, next, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 4}})
		page2, end, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 4, Cursor: next}})
		if len(page1) != 4 || len(page2) != 3 || next == "" || end != "" || page2[0].ID != all[4].ID {
			t.Errorf("pages = %d/%d next=%q end=%q", len(page1), len(page2), next, end)
		}
	})
}

// testMemberEvents checks MemberEvents: the audit log is for GMs, a
// member with another role gets an empty list and the role, and a change
// of membership shows on the very next read.
func testMemberEvents(t *testing.T, open OpenFunc) {
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	player := mustCreateUser(t, s, "p@example.com")
	stranger := mustCreateUser(t, s, "s@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	mustAddMember(t, s, c, player, gmc.RolePlayer)
	first, second := mustCreateCharacter(t, s, c, "First"), mustCreateCharacter(t, s, c, "Second")
	characters := store.EventFilter{CampaignID: c.ID, EntityType: "character"}
	newestFirst := []string{second.ID, first.ID}
	runMemberReads(t, "MemberEvents", []memberRead[store.EventFilter]{
		{name: "gm", user: gm.ID, f: characters, want: newestFirst, role: gmc.RoleGM},
		{name: "gm, one entity", user: gm.ID, f: store.EventFilter{CampaignID: c.ID, EntityID: first.ID}, want: []string{first.ID}, role: gmc.RoleGM},
		{name: "player", user: player.ID, f: characters, role: gmc.RolePlayer},
		{name: "stranger", user: stranger.ID, f: characters, err: gmc.ErrNotFound},
		{name: "stranger, bad cursor", user: stranger.ID, f: store.EventFilter{CampaignID: c.ID, Page: gmc.Page{Cursor: "nope"}}, err: gmc.ErrNotFound},
		{name: "stranger, bad actor", user: stranger.ID, f: store.EventFilter{CampaignID: c.ID, ActorID: "nope"}, err: gmc.ErrNotFound},
		{name: "unknown campaign", user: gm.ID, f: store.EventFilter{CampaignID: newID(t)}, err: gmc.ErrNotFound},
		{name: "not an id", user: gm.ID, f: store.EventFilter{CampaignID: "nope"}, err: gmc.ErrNotFound},
		{name: "promoted", change: setRole(t, s, c, player, gmc.RoleGM), user: player.ID, f: characters, want: newestFirst, role: gmc.RoleGM},
		{name: "downgraded", change: setRole(t, s, c, player, gmc.RoleObserver), user: player.ID, f: characters, role: gmc.RoleObserver},
		{name: "removed", change: setRole(t, s, c, player, ""), user: player.ID, f: characters, err: gmc.ErrNotFound},
	}, func(user string, f store.EventFilter) ([]string, gmc.Role, error) {
		list, _, role, err := s.MemberEvents(context.Background(), user, f)
		ids := make([]string, len(list))
		for i, ev := range list {
			ids[i] = ev.EntityID
		}
		return ids, role, err
	})
}
