package storetest

import (
	"context"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
)

func testMember(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("ListInJoinOrder", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		want := []string{gm.ID}
		for _, e := range emails(3, "p") {
			u := mustCreateUser(t, s, e)
			mustAddMember(t, s, c, u, gmc.RolePlayer)
			want = append(want, u.ID)
		}
		list, err := s.Members(ctx, c.ID)
		wantErr(t, "Members", err, nil)
		if len(list) != len(want) {
			t.Fatalf("Members = %d, want %d", len(list), len(want))
		}
		for i, m := range list {
			if m.UserID != want[i] || m.Email == "" {
				t.Errorf("Members[%d] = %+v, want user %s with email", i, m, want[i])
			}
		}
	})
	t.Run("KeepsOneGM", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		p := mustCreateUser(t, s, "p@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		mustAddMember(t, s, c, p, gmc.RolePlayer)
		ev := func() *gmc.Event { return newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "member", gm.ID, nil) }

		err := s.SetMemberRole(ctx, &gmc.Member{CampaignID: c.ID, UserID: gm.ID, Role: gmc.RolePlayer}, ev())
		wantCode(t, "demote last GM", err, "last_gm")
		wantCode(t, "remove last GM", s.RemoveMember(ctx, c.ID, gm.ID, ev()), "last_gm")

		wantErr(t, "promote player", s.SetMemberRole(ctx, &gmc.Member{CampaignID: c.ID, UserID: p.ID, Role: gmc.RoleGM}, ev()), nil)
		wantErr(t, "demote first GM", s.SetMemberRole(ctx, &gmc.Member{CampaignID: c.ID, UserID: gm.ID, Role: gmc.RoleObserver}, ev()), nil)
		m, _ := s.Member(ctx, c.ID, gm.ID)
		if m.Role != gmc.RoleObserver {
			t.Errorf("role = %q, want observer", m.Role)
		}
		wantErr(t, "remove observer", s.RemoveMember(ctx, c.ID, gm.ID, ev()), nil)
		_, err = s.Member(ctx, c.ID, gm.ID)
		wantErr(t, "Member(removed)", err, gmc.ErrNotFound)
		wantErr(t, "remove again", s.RemoveMember(ctx, c.ID, gm.ID, ev()), gmc.ErrNotFound)
		err = s.SetMemberRole(ctx, &gmc.Member{CampaignID: c.ID, UserID: gm.ID, Role: gmc.RoleGM}, ev())
		wantErr(t, "SetMemberRole(non-member)", err, gmc.ErrNotFound)
	})
}
