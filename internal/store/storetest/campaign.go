package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func testCampaign(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("CreateAndGet", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "Curse of Strahd")
		got, err := s.Campaign(ctx, c.ID)
		wantErr(t, "Campaign", err, nil)
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("Campaign mismatch (-want +got):\n%s", diff)
		}
		m, err := s.Member(ctx, c.ID, gm.ID)
		wantErr(t, "Member(creator)", err, nil)
		if m.Role != gmc.RoleGM {
			t.Errorf("creator role = %q, want gm", m.Role)
		}
		_, err = s.Campaign(ctx, newID(t))
		wantErr(t, "Campaign(unknown)", err, gmc.ErrNotFound)
	})
	t.Run("MemberCampaign", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		player := mustCreateUser(t, s, "player@example.com")
		stranger := mustCreateUser(t, s, "stranger@example.com")
		c := mustCreateCampaign(t, s, gm, "Curse of Strahd")
		mustAddMember(t, s, c, player, gmc.RolePlayer)
		ev := func() *gmc.Event { return newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "member", player.ID, nil) }
		type step struct {
			name       string
			change     func() error
			user       string
			campaignID string
			role       gmc.Role
			err        error
		}
		for _, st := range []step{
			{name: "gm", user: gm.ID, campaignID: c.ID, role: gmc.RoleGM},
			{name: "player", user: player.ID, campaignID: c.ID, role: gmc.RolePlayer},
			{name: "stranger", user: stranger.ID, campaignID: c.ID, err: gmc.ErrNotFound},
			{name: "unknown campaign", user: gm.ID, campaignID: newID(t), err: gmc.ErrNotFound},
			{name: "not an id", user: gm.ID, campaignID: "nope", err: gmc.ErrNotFound},
			// A change of membership shows on the very next read.
			{name: "downgraded", user: player.ID, campaignID: c.ID, role: gmc.RoleObserver, change: func() error {
				return s.SetMemberRole(ctx, &gmc.Member{CampaignID: c.ID, UserID: player.ID, Role: gmc.RoleObserver}, ev())
			}},
			{name: "removed", user: player.ID, campaignID: c.ID, err: gmc.ErrNotFound, change: func() error {
				return s.RemoveMember(ctx, c.ID, player.ID, ev())
			}},
		} {
			if st.change != nil {
				wantErr(t, st.name+": change", st.change(), nil)
			}
			got, role, err := s.MemberCampaign(ctx, st.campaignID, st.user)
			wantErr(t, "MemberCampaign("+st.name+")", err, st.err)
			if st.err != nil {
				continue
			}
			if role != st.role {
				t.Errorf("MemberCampaign(%s) role = %q, want %q", st.name, role, st.role)
			}
			if diff := cmp.Diff(c, got); diff != "" {
				t.Errorf("MemberCampaign(%s) mismatch (-want +got):\n%s", st.name, diff)
			}
		}
	})
	t.Run("ListByMemberPaged", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		other := mustCreateUser(t, s, "other@example.com")
		var want []string
		for i := range 5 {
			want = append(want, mustCreateCampaign(t, s, gm, fmt.Sprintf("C%d", i)).ID)
		}
		mustCreateCampaign(t, s, other, "Not mine")
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			list, next, err := s.Campaigns(ctx, store.CampaignFilter{MemberID: gm.ID, Page: gmc.Page{Limit: 2, Cursor: cursor}})
			wantErr(t, "Campaigns", err, nil)
			for _, c := range list {
				got = append(got, c.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("paged Campaigns mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("UpdateVersioned", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "Old")
		stale := *c
		c.Name, c.Settings.ReminderSessions = "New", 5
		wantErr(t, "UpdateCampaign", s.UpdateCampaign(ctx, c, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "campaign", c.ID, c)), nil)
		got, _ := s.Campaign(ctx, c.ID)
		if got.Name != "New" || got.Version != 2 || got.Settings.ReminderSessions != 5 {
			t.Errorf("Campaign after update = %+v", got)
		}
		err := s.UpdateCampaign(ctx, &stale, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "campaign", c.ID, nil))
		wantCode(t, "UpdateCampaign(stale)", err, "stale_version")
		events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "campaign"})
		if len(events) != 2 {
			t.Errorf("audit events = %d, want 2 (create, update; the stale write adds none)", len(events))
		}
		missing := *c
		missing.ID = newID(t)
		wantErr(t, "UpdateCampaign(unknown)", s.UpdateCampaign(ctx, &missing, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "campaign", missing.ID, nil)), gmc.ErrNotFound)
	})
	t.Run("DeleteCascades", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		player := mustCreateUser(t, s, "p@example.com")
		c := mustCreateCampaign(t, s, gm, "Doomed")
		mustAddMember(t, s, c, player, gmc.RolePlayer)
		wantErr(t, "DeleteCampaign", s.DeleteCampaign(ctx, c.ID), nil)
		_, err := s.Campaign(ctx, c.ID)
		wantErr(t, "Campaign(deleted)", err, gmc.ErrNotFound)
		_, err = s.Member(ctx, c.ID, player.ID)
		wantErr(t, "Member(deleted campaign)", err, gmc.ErrNotFound)
		wantErr(t, "DeleteCampaign(again)", s.DeleteCampaign(ctx, c.ID), gmc.ErrNotFound)
	})
}
