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
		if _, err := rotate(t, s, "l1", "l2"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "RevokeRefreshFamily", s.RevokeRefreshFamily(context.Background(), hashOf("l1"), now()), nil)
		_, err := rotate(t, s, "l2", "l3")
		wantErr(t, "Rotate(after logout)", err, gmc.ErrUnauthenticated)
		wantErr(t, "RevokeRefreshFamily(unknown)", s.RevokeRefreshFamily(context.Background(), hashOf("nope"), now()), nil)
	})
}
