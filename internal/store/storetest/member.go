package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
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
	t.Run("RemoveAndReleaseCharactersInOneTx", func(t *testing.T) { testRemoveAndRelease(t, open) })
}

// testRemoveAndRelease removes a member and clears the owner of their PC
// in one transaction, as the service does: both writes commit together or
// not at all, and the PC keeps its search document either way.
func testRemoveAndRelease(t *testing.T, open OpenFunc) {
	tests := []struct {
		name   string
		giveUp error
	}{
		{name: "Commit"},
		{name: "Rollback", giveUp: errTxTest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := open(t)
			gm, p := mustCreateUser(t, s, "gm@example.com"), mustCreateUser(t, s, "p@example.com")
			c := mustCreateCampaign(t, s, gm, "C")
			mustAddMember(t, s, c, p, gmc.RolePlayer)
			pc := mustCreateCharacter(t, s, c, "Quillon Ashvane", func(ch *gmc.Character) { ch.CharacterType, ch.OwnerID = gmc.CharacterPC, &p.ID })
			other := mustCreateCharacter(t, s, c, "Mirabel Tosk", func(ch *gmc.Character) { ch.CharacterType, ch.OwnerID = gmc.CharacterPC, &gm.ID })

			err := s.InTx(ctx, func(tx store.Store) error {
				if err := tx.RemoveMember(ctx, c.ID, p.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "member", p.ID, nil)); err != nil {
					return err
				}
				owned, _, err := tx.Characters(ctx, store.CharacterFilter{CampaignID: c.ID, OwnerID: p.ID, Page: gmc.Page{Limit: 10}})
				if err != nil {
					return err
				}
				if len(owned) != 1 || owned[0].ID != pc.ID {
					t.Fatalf("characters owned by the member = %v, want their PC", characterIDs(owned))
				}
				owned[0].OwnerID = nil
				if err := tx.UpdateCharacter(ctx, owned[0], newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "character", pc.ID, owned[0])); err != nil {
					return err
				}
				return tt.giveUp
			})
			if !errors.Is(err, tt.giveUp) {
				t.Fatalf("InTx = %v, want %v", err, tt.giveUp)
			}
			committed := tt.giveUp == nil

			_, err = s.Member(ctx, c.ID, p.ID)
			if gone := errors.Is(err, gmc.ErrNotFound); gone != committed {
				t.Errorf("Member after InTx = %v; want it gone: %v", err, committed)
			}
			got, err := s.Character(ctx, pc.ID)
			wantErr(t, "Character(pc)", err, nil)
			if released := got.OwnerID == nil; released != committed {
				t.Errorf("PC owner = %v; want it cleared: %v", got.OwnerID, committed)
			}
			if want := map[bool]int64{true: 2, false: 1}[committed]; got.Version != want {
				t.Errorf("PC version = %d, want %d", got.Version, want)
			}
			events, _, err := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "character", EntityID: pc.ID, Page: gmc.Page{Limit: 10}})
			wantErr(t, "Events(pc)", err, nil)
			if want := map[bool]int{true: 2, false: 1}[committed]; len(events) != want {
				t.Errorf("PC has %d audit events, want %d", len(events), want)
			}
			if o, _ := s.Character(ctx, other.ID); o.OwnerID == nil || *o.OwnerID != gm.ID || o.Version != 1 {
				t.Errorf("another member's PC changed: %+v", o)
			}
			wantResults(t, s, campaignSearch(c, false, "Quillon"), "Quillon Ashvane/prefix")
		})
	}
}

func testVoiceConsent(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	p := mustCreateUser(t, s, "p@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	d := mustCreateCampaign(t, s, gm, "D")
	mustAddMember(t, s, c, p, gmc.RolePlayer)
	mustAddMember(t, s, d, p, gmc.RolePlayer)
	ev := func() *gmc.Event { return newEvent(t, c.ID, p.ID, gmc.ActionUpdate, gmc.EntityMember, p.ID, nil) }

	m, err := s.Member(ctx, c.ID, p.ID)
	wantErr(t, "Member", err, nil)
	if m.VoiceConsent != nil || m.VoiceConsentAt != nil {
		t.Fatalf("new member's consent = %v at %v, want not asked (nil)", m.VoiceConsent, m.VoiceConsentAt)
	}
	for _, answer := range []bool{true, false} {
		at := now()
		m.VoiceConsent, m.VoiceConsentAt = &answer, &at
		wantErr(t, "SetVoiceConsent", s.SetVoiceConsent(ctx, m, ev()), nil)
		got, err := s.Member(ctx, c.ID, p.ID)
		wantErr(t, "Member", err, nil)
		if got.VoiceConsent == nil || *got.VoiceConsent != answer || got.VoiceConsentAt == nil || !got.VoiceConsentAt.Equal(at) {
			t.Errorf("after SetVoiceConsent(%v): consent %v at %v, want %v at %v", answer, got.VoiceConsent, got.VoiceConsentAt, answer, at)
		}
	}
	list, err := s.Members(ctx, c.ID)
	wantErr(t, "Members", err, nil)
	for _, m := range list {
		want := m.UserID == p.ID // answered (false); the GM never did
		if (m.VoiceConsent != nil) != want || m.Consented() {
			t.Errorf("Members: %s consent = %v, want answered %v and not consenting", m.UserID, m.VoiceConsent, want)
		}
	}
	// The answer is per campaign.
	other, err := s.Member(ctx, d.ID, p.ID)
	wantErr(t, "Member(other campaign)", err, nil)
	if other.VoiceConsent != nil {
		t.Errorf("consent in another campaign = %v, want nil", *other.VoiceConsent)
	}
	yes := true
	stranger := &gmc.Member{CampaignID: c.ID, UserID: newID(t), VoiceConsent: &yes}
	wantErr(t, "SetVoiceConsent(non-member)", s.SetVoiceConsent(ctx, stranger, ev()), gmc.ErrNotFound)
}

// memberRead is one read of a list that carries the caller's role
// (MemberSessions, MemberPlots, …), after an optional change of
// membership, which must show on that very read.
type memberRead[F any] struct {
	name   string
	change func() error
	user   string
	f      F
	want   []string
	role   gmc.Role
	err    error
}

// runMemberReads runs reads in order with read, which lists what user
// sees through f (by names or ids) and user's role.
func runMemberReads[F any](t *testing.T, what string, reads []memberRead[F], read func(user string, f F) ([]string, gmc.Role, error)) {
	t.Helper()
	for _, r := range reads {
		if r.change != nil {
			wantErr(t, r.name+": change", r.change(), nil)
		}
		got, role, err := read(r.user, r.f)
		if r.err != nil {
			if !errors.Is(err, r.err) {
				t.Errorf("%s(%s) = %q, %q, %v; want %v", what, r.name, got, role, err, r.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s(%s) = %v", what, r.name, err)
			continue
		}
		if role != r.role {
			t.Errorf("%s(%s) role = %q, want %q", what, r.name, role, r.role)
		}
		if diff := cmp.Diff(r.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s(%s) mismatch (-want +got):\n%s", what, r.name, diff)
		}
	}
}

// setRole returns a change that gives u role in c, or removes u from c
// when role is "".
func setRole(t testing.TB, s store.Store, c *gmc.Campaign, u *gmc.User, role gmc.Role) func() error {
	return func() error {
		ev := newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "member", u.ID, nil)
		if role == "" {
			return s.RemoveMember(context.Background(), c.ID, u.ID, ev)
		}
		return s.SetMemberRole(context.Background(), &gmc.Member{CampaignID: c.ID, UserID: u.ID, Role: role}, ev)
	}
}
