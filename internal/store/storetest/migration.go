package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// OpenUnmigratedFunc opens a fresh store on which no migration has run,
// closed when t ends.
type OpenUnmigratedFunc func(t *testing.T) store.Store

// emailMigration is the version that brings stored addresses to
// gmc.NormalizeEmail's form.
const emailMigration = 13

// RunMigrations checks the migrations that rewrite data, on data written
// by the version before them.
func RunMigrations(t *testing.T, open OpenUnmigratedFunc) {
	ctx := context.Background()
	before := func(t *testing.T, emails ...string) (store.Store, []*gmc.User) {
		t.Helper()
		s := open(t)
		if _, err := s.MigrateTo(ctx, emailMigration-1); err != nil {
			t.Fatalf("MigrateTo(%d) = %v", emailMigration-1, err)
		}
		var users []*gmc.User
		for _, e := range emails {
			users = append(users, mustCreateUser(t, s, e))
		}
		return s, users
	}
	t.Run("EmailsNormalised", func(t *testing.T) {
		t.Parallel()
		s, users := before(t, "ｕｎｉ@example.test", "u\u0301na@example.test", "plain@example.test")
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate = %v", err)
		}
		for i, want := range []string{"uni@example.test", "\u00fana@example.test", "plain@example.test"} {
			got, err := s.UserByEmail(ctx, want)
			if err != nil {
				t.Errorf("UserByEmail(%q) after the migration = %v", want, err)
				continue
			}
			if got.ID != users[i].ID {
				t.Errorf("UserByEmail(%q) = user %s, want %s", want, got.ID, users[i].ID)
			}
		}
	})
	t.Run("CollisionRefused", func(t *testing.T) {
		t.Parallel()
		s, users := before(t, "ｕｎｉ@example.test", "uni@example.test", "u\u0301na@example.test", "\u00fana@example.test", "alone@example.test")
		_, err := s.Migrate(ctx)
		if err == nil {
			t.Fatal("Migrate with accounts whose emails collide = nil, want it refused")
		}
		for _, u := range users[:4] {
			if !strings.Contains(err.Error(), u.ID) {
				t.Errorf("Migrate error does not name account %s (%q): %v", u.ID, u.Email, err)
			}
		}
		if strings.Contains(err.Error(), users[4].ID) {
			t.Errorf("Migrate error names account %s, which collides with none: %v", users[4].ID, err)
		}
		for _, u := range users {
			got, err := s.User(ctx, u.ID)
			wantErr(t, "User after the refused migration", err, nil)
			if err == nil && got.Email != u.Email {
				t.Errorf("email of %s = %q after the refused migration, want it unchanged %q", u.ID, got.Email, u.Email)
			}
		}
		// Once an operator has resolved the collisions, the migration runs.
		for _, u := range []*gmc.User{users[0], users[2]} {
			u.Email = "renamed-" + u.ID + "@example.test"
			wantErr(t, "UpdateUser", s.UpdateUser(ctx, u), nil)
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate after resolving = %v", err)
		}
		got, err := s.UserByEmail(ctx, "\u00fana@example.test")
		wantErr(t, "UserByEmail(normalised)", err, nil)
		if err == nil && got.ID != users[3].ID {
			t.Errorf("UserByEmail(normalised) = %s, want %s", got.ID, users[3].ID)
		}
	})
}
