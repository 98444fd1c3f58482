package store

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// TokenStore keeps refresh tokens, hashed, in rotation families.
type TokenStore interface {
	// CreateRefreshToken stores t.
	CreateRefreshToken(ctx context.Context, t *gmc.RefreshToken) error
	// RotateRefreshToken spends the token with oldHash and stores next in the
	// same family, atomically. When the old token was already spent or its
	// family revoked, the whole family is revoked (and that revocation is
	// kept, as by RevokeRefreshFamily, next.UserID naming the account whose
	// token version that raised) and
	// ErrUnauthenticated is returned; unknown or expired tokens are
	// ErrUnauthenticated too. next.FamilyID and next.UserID are filled in.
	RotateRefreshToken(ctx context.Context, oldHash []byte, next *gmc.RefreshToken, now time.Time) error
	// RevokeRefreshFamily revokes the family of the token with hash, raises
	// the token version of its account (which ends the account's access
	// tokens, see gmc.User.TokenVersion) and returns the account's id.
	// Unknown tokens are ignored (id ""), so logout cannot be used to probe
	// for tokens; so are tokens whose family is revoked already (id ""):
	// an old token presented again, after a logout or a password change,
	// must not end the sessions started since.
	RevokeRefreshFamily(ctx context.Context, hash []byte, now time.Time) (userID string, err error)
	// EndSessions revokes every refresh-token family of the user and raises
	// their token version, in one transaction, and returns the new token
	// version. ErrNotFound for an unknown user.
	EndSessions(ctx context.Context, userID string, now time.Time) (tokenVersion int64, err error)
}
