package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func testInvite(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	setup := func(t *testing.T, maxUses int, ttl time.Duration) (store.Store, *gmc.Campaign, *gmc.Invite) {
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		inv := &gmc.Invite{ID: newID(t), CampaignID: c.ID, Code: "code-" + newID(t), Role: gmc.RolePlayer, MaxUses: maxUses, CreatedBy: gm.ID, ExpiresAt: now().Add(ttl), CreatedAt: now()}
		if err := s.CreateInvite(ctx, inv, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "invite", inv.ID, nil)); err != nil {
			t.Fatal(err)
		}
		return s, c, inv
	}
	accept := func(t *testing.T, s store.Store, code string, u *gmc.User) (*gmc.Invite, error) {
		return s.AcceptInvite(ctx, code, &gmc.Member{UserID: u.ID, JoinedAt: now()}, now(), newEvent(t, "", u.ID, gmc.ActionCreate, "member", u.ID, nil))
	}
	t.Run("SingleUse", func(t *testing.T) {
		t.Parallel()
		s, c, inv := setup(t, 1, time.Hour)
		a, b := mustCreateUser(t, s, "a@example.com"), mustCreateUser(t, s, "b@example.com")
		got, err := accept(t, s, inv.Code, a)
		wantErr(t, "AcceptInvite", err, nil)
		if got.CampaignID != c.ID || got.Uses != 1 {
			t.Errorf("AcceptInvite = %+v", got)
		}
		m, err := s.Member(ctx, c.ID, a.ID)
		if err != nil || m.Role != gmc.RolePlayer {
			t.Errorf("Member after accept = %+v, %v", m, err)
		}
		_, err = accept(t, s, inv.Code, b)
		wantCode(t, "AcceptInvite(used)", err, "invite_not_found")
		if _, err := s.Member(ctx, c.ID, b.ID); err == nil {
			t.Error("refused accept still added a member")
		}
	})
	t.Run("MultiUseAndAlreadyMember", func(t *testing.T) {
		t.Parallel()
		s, _, inv := setup(t, 3, time.Hour)
		a, b := mustCreateUser(t, s, "a@example.com"), mustCreateUser(t, s, "b@example.com")
		_, err := accept(t, s, inv.Code, a)
		wantErr(t, "accept a", err, nil)
		_, err = accept(t, s, inv.Code, a)
		wantCode(t, "accept a again", err, "already_member")
		got, err := accept(t, s, inv.Code, b)
		wantErr(t, "accept b", err, nil)
		if got.Uses != 2 {
			t.Errorf("uses = %d, want 2 (a refused accept spends nothing)", got.Uses)
		}
	})
	t.Run("ExpiredAndUnknown", func(t *testing.T) {
		t.Parallel()
		s, _, inv := setup(t, 1, -time.Second)
		a := mustCreateUser(t, s, "a@example.com")
		_, err := accept(t, s, inv.Code, a)
		wantErr(t, "accept expired", err, gmc.ErrNotFound)
		_, err = accept(t, s, "no-such-code", a)
		wantErr(t, "accept unknown", err, gmc.ErrNotFound)
	})
}
