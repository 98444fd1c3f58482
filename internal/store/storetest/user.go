package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
)

func testUser(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("CreateAndFind", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		u := mustCreateUser(t, s, "ada@example.com")
		byID, err := s.User(ctx, u.ID)
		wantErr(t, "User", err, nil)
		if diff := cmp.Diff(u, byID); diff != "" {
			t.Errorf("User(id) mismatch (-want +got):\n%s", diff)
		}
		byEmail, err := s.UserByEmail(ctx, "ada@example.com")
		wantErr(t, "UserByEmail", err, nil)
		if diff := cmp.Diff(u, byEmail); diff != "" {
			t.Errorf("UserByEmail mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		_, err := s.User(ctx, newID(t))
		wantErr(t, "User(unknown)", err, gmc.ErrNotFound)
		_, err = s.UserByEmail(ctx, "nobody@example.com")
		wantErr(t, "UserByEmail(unknown)", err, gmc.ErrNotFound)
	})
	t.Run("DuplicateEmail", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		mustCreateUser(t, s, "dup@example.com")
		u := &gmc.User{ID: newID(t), Email: "dup@example.com", DisplayName: "x", PasswordHash: "h", CreatedAt: now(), UpdatedAt: now()}
		err := s.CreateUser(ctx, u)
		wantCode(t, "CreateUser(duplicate)", err, "email_taken")
	})
	t.Run("Update", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		u := mustCreateUser(t, s, "upd@example.com")
		other := mustCreateUser(t, s, "other@example.com")
		stale := *u
		u.DisplayName = "New Name"
		wantErr(t, "UpdateUser", s.UpdateUser(ctx, u), nil)
		if u.Version != 2 {
			t.Errorf("after UpdateUser version = %d, want 2", u.Version)
		}
		got, _ := s.User(ctx, u.ID)
		if got.DisplayName != "New Name" || got.Version != 2 {
			t.Errorf("User after update = %+v", got)
		}
		stale.DisplayName = "Lost"
		wantCode(t, "UpdateUser(stale)", s.UpdateUser(ctx, &stale), "stale_version")
		u.Email = other.Email
		wantCode(t, "UpdateUser(taken email)", s.UpdateUser(ctx, u), "email_taken")
		missing := &gmc.User{ID: newID(t), Email: "m@example.com", Version: 1}
		wantErr(t, "UpdateUser(unknown)", s.UpdateUser(ctx, missing), gmc.ErrNotFound)
	})
	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		alone := mustCreateUser(t, s, "alone@example.com")
		solo := mustCreateCampaign(t, s, alone, "Solo")
		wantErr(t, "DeleteUser", s.DeleteUser(ctx, alone.ID), nil)
		_, err := s.User(ctx, alone.ID)
		wantErr(t, "User(deleted)", err, gmc.ErrNotFound)
		_, err = s.Campaign(ctx, solo.ID)
		wantErr(t, "Campaign of deleted sole member", err, gmc.ErrNotFound)
		wantErr(t, "DeleteUser(again)", s.DeleteUser(ctx, alone.ID), gmc.ErrNotFound)
	})
	t.Run("DeleteLastGM", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		player := mustCreateUser(t, s, "player@example.com")
		c := mustCreateCampaign(t, s, gm, "Shared")
		mustAddMember(t, s, c, player, gmc.RolePlayer)
		wantCode(t, "DeleteUser(last GM)", s.DeleteUser(ctx, gm.ID), "last_gm")
		if _, err := s.User(ctx, gm.ID); err != nil {
			t.Fatalf("refused delete removed the user: %v", err)
		}
		wantErr(t, "DeleteUser(player)", s.DeleteUser(ctx, player.ID), nil)
		members, _ := s.Members(ctx, c.ID)
		if len(members) != 1 {
			t.Errorf("members after player deleted = %d, want 1", len(members))
		}
	})
}
