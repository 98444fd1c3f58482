package storetest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func mustCreateToken(t *testing.T, s store.Store, u *gmc.User, secret string, ttl time.Duration) *gmc.RefreshToken {
	t.Helper()
	tok := &gmc.RefreshToken{ID: newID(t), FamilyID: newID(t), UserID: u.ID, TokenHash: hashOf(secret), CreatedAt: now(), ExpiresAt: now().Add(ttl)}
	if err := s.CreateRefreshToken(context.Background(), tok); err != nil {
		t.Fatalf("CreateRefreshToken = %v", err)
	}
	return tok
}

func rotate(t *testing.T, s store.Store, old, next string) (*gmc.RefreshToken, error) {
	t.Helper()
	tok := &gmc.RefreshToken{ID: newID(t), TokenHash: hashOf(next), CreatedAt: now(), ExpiresAt: now().Add(time.Hour)}
	return tok, s.RotateRefreshToken(context.Background(), hashOf(old), tok, now())
}

func testRefreshToken(t *testing.T, open OpenFunc) {
	t.Run("RotateKeepsFamily", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		u := mustCreateUser(t, s, "tok@example.com")
		first := mustCreateToken(t, s, u, "t1", time.Hour)
		next, err := rotate(t, s, "t1", "t2")
		wantErr(t, "Rotate(t1)", err, nil)
		if next.FamilyID != first.FamilyID || next.UserID != u.ID {
			t.Errorf("rotated token family/user = %s/%s, want %s/%s", next.FamilyID, next.UserID, first.FamilyID, u.ID)
		}
		_, err = rotate(t, s, "t2", "t3")
		wantErr(t, "Rotate(t2)", err, nil)
	})
	t.Run("ReuseRevokesFamily", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		u := mustCreateUser(t, s, "reuse@example.com")
		mustCreateToken(t, s, u, "a1", time.Hour)
		other := mustCreateToken(t, s, u, "b1", time.Hour) // another login: another family
		_ = other
		if _, err := rotate(t, s, "a1", "a2"); err != nil {
			t.Fatal(err)
		}
		_, err := rotate(t, s, "a1", "a3")
		wantCode(t, "Rotate(spent)", err, "refresh_token_reused")
		_, err = rotate(t, s, "a2", "a4")
		wantErr(t, "Rotate(sibling of reused)", err, gmc.ErrUnauthenticated)
		_, err = rotate(t, s, "b1", "b2")
		wantErr(t, "Rotate(other family)", err, nil)
	})
	t.Run("UnknownAndExpired", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		u := mustCreateUser(t, s, "exp@example.com")
		mustCreateToken(t, s, u, "old", -time.Minute)
		_, err := rotate(t, s, "old", "new")
		wantErr(t, "Rotate(expired)", err, gmc.ErrUnauthenticated)
		_, err = rotate(t, s, "never-issued", "new2")
		wantErr(t, "Rotate(unknown)", err, gmc.ErrUnauthenticated)
	})
	t.Run("RevokeFamily", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		u := mustCreateUser(t, s, "logout@example.com")
		mustCreateToken(t, s, u, "l1", time.Hour)
		mustCreateToken(t, s, u, "other", time.Hour) // another login: another family
		if _, err := rotate(t, s, "l1", "l2"); err != nil {
			t.Fatal(err)
		}
		user, err := s.RevokeRefreshFamily(context.Background(), hashOf("l1"), now())
		wantErr(t, "RevokeRefreshFamily", err, nil)
		if user != u.ID {
			t.Errorf("RevokeRefreshFamily = user %q, want %q", user, u.ID)
		}
		wantTokenVersion(t, s, u.ID, 1)
		user, err = s.RevokeRefreshFamily(context.Background(), hashOf("nope"), now())
		wantErr(t, "RevokeRefreshFamily(unknown)", err, nil)
		if user != "" {
			t.Errorf("RevokeRefreshFamily(unknown) = user %q, want none", user)
		}
		wantTokenVersion(t, s, u.ID, 1)
		user, err = s.RevokeRefreshFamily(context.Background(), hashOf("l2"), now())
		wantErr(t, "RevokeRefreshFamily(again)", err, nil)
		if user != "" {
			t.Errorf("RevokeRefreshFamily(revoked family) = user %q, want none", user)
		}
		next, err := rotate(t, s, "l2", "l3")
		wantErr(t, "Rotate(after logout)", err, gmc.ErrUnauthenticated)
		if next.UserID != "" {
			t.Errorf("Rotate(after logout) names user %q, want none: the family was revoked already", next.UserID)
		}
		// Presenting a token of an ended family again ends nothing more.
		wantTokenVersion(t, s, u.ID, 1)
		_, err = rotate(t, s, "other", "other2")
		wantErr(t, "Rotate(other family after logout)", err, nil)
	})
	t.Run("ReuseRaisesTokenVersion", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		u := mustCreateUser(t, s, "stolen@example.com")
		mustCreateToken(t, s, u, "s1", time.Hour)
		if _, err := rotate(t, s, "s1", "s2"); err != nil {
			t.Fatal(err)
		}
		next, err := rotate(t, s, "s1", "s3")
		wantCode(t, "Rotate(spent)", err, "refresh_token_reused")
		if next.UserID != u.ID {
			t.Errorf("Rotate(spent) names user %q, want %q", next.UserID, u.ID)
		}
		wantTokenVersion(t, s, u.ID, 1)
	})
	t.Run("EndSessions", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		s := open(t)
		u := mustCreateUser(t, s, "reset@example.com")
		bystander := mustCreateUser(t, s, "bystander@example.com")
		mustCreateToken(t, s, u, "phone", time.Hour)
		mustCreateToken(t, s, u, "laptop", time.Hour)
		if _, err := rotate(t, s, "laptop", "laptop2"); err != nil {
			t.Fatal(err)
		}
		mustCreateToken(t, s, bystander, "theirs", time.Hour)
		for want := int64(1); want <= 2; want++ {
			v, err := s.EndSessions(ctx, u.ID, now())
			wantErr(t, "EndSessions", err, nil)
			if v != want {
				t.Errorf("EndSessions #%d = token version %d, want %d", want, v, want)
			}
		}
		wantTokenVersion(t, s, u.ID, 2)
		for _, secret := range []string{"phone", "laptop2"} {
			_, err := rotate(t, s, secret, secret+"-next")
			wantErr(t, "Rotate("+secret+" after EndSessions)", err, gmc.ErrUnauthenticated)
		}
		_, err := rotate(t, s, "theirs", "theirs2")
		wantErr(t, "Rotate(another account's token)", err, nil)
		wantTokenVersion(t, s, bystander.ID, 0)
		// A login after the end is a session of its own.
		mustCreateToken(t, s, u, "fresh", time.Hour)
		_, err = rotate(t, s, "fresh", "fresh2")
		wantErr(t, "Rotate(new login)", err, nil)
		_, err = s.EndSessions(ctx, newID(t), now())
		wantErr(t, "EndSessions(unknown)", err, gmc.ErrNotFound)
	})
}

func wantTokenVersion(t *testing.T, s store.Store, userID string, want int64) {
	t.Helper()
	u, err := s.User(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	if u.TokenVersion != want {
		t.Errorf("token version = %d, want %d", u.TokenVersion, want)
	}
}
