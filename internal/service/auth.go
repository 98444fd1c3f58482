package service

import (
	"context"
	"errors"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
)

// RegisterParams is a new account.
type RegisterParams struct {
	Email       string
	Password    string
	DisplayName string
	// ClientIP is the caller's address, for rate limiting; empty for
	// in-process callers.
	ClientIP string
	// SelfSignup marks a sign-up by the visitor themselves (the API), which
	// the public_signup feature governs; the host's own tools (gmc demo)
	// create accounts whatever it says.
	SelfSignup bool
}

// Register creates an account.
func (s *Service) Register(ctx context.Context, p RegisterParams) (*gmc.User, error) {
	if p.SelfSignup && !s.instanceFeatureOn(gmc.FeaturePublicSignup) {
		return nil, gmc.FeatureOff(gmc.FeaturePublicSignup, "on this server: ask the host for an account")
	}
	email := gmc.NormalizeEmail(p.Email)
	var v gmc.Validator
	gmc.ValidateEmail(&v, "body.email", email)
	gmc.ValidatePassword(&v, "body.password", p.Password)
	gmc.ValidateName(&v, "body.display_name", p.DisplayName)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.allowAll(ctx, s.limits.Register, p.ClientIP); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(p.Password)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	u := &gmc.User{ID: s.newID(), Email: email, DisplayName: strings.TrimSpace(p.DisplayName), PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

var (
	errAccountGone  = gmc.Errorf(gmc.ErrUnauthenticated, "invalid_token", "the account no longer exists")
	errSessionEnded = gmc.Errorf(gmc.ErrUnauthenticated, "token_revoked",
		"the access token was ended by a logout or a change of email or password; refresh it or log in again")
)

// Authenticate checks an access token, that its account still exists and
// that the account's token version has not been raised since the token was
// signed, and returns the account's id. A signed token outlives a deleted
// account, a logout or a password change by up to AccessTokenTTL; without
// the check a deleted account's requests would reach the rules as a
// stranger's (404, 403, an empty list) and an ended session would go on
// working. The version comes from the AccountCache: a map look-up per
// request, a database read only when the entry is missing or stale.
func (s *Service) Authenticate(ctx context.Context, token string) (string, error) {
	claims, err := s.verifyAccessToken(token)
	if err != nil {
		return "", err
	}
	current, err := s.accounts.TokenVersion(ctx, claims.Subject, s.loadTokenVersion)
	if errors.Is(err, gmc.ErrNotFound) {
		return "", errAccountGone
	} else if err != nil {
		return "", err
	}
	// A newer version than the cached one can only come from the database
	// itself, read by a fresher instance or entry: it is not refused.
	if claims.TokenVersion < current {
		return "", errSessionEnded
	}
	return claims.Subject, nil
}

// tokenVersion reads the account's token version from the database; it is
// the AccountCache's loader.
func (s *Service) tokenVersion(ctx context.Context, userID string) (int64, error) {
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return 0, err
	}
	return u.TokenVersion, nil
}

// sessionsChanged tells the AccountCache, after the commit, that the
// account's token version was raised or the account deleted.
func (s *Service) sessionsChanged(ctx context.Context, userID string) {
	s.accounts.Forget(ctx, userID)
}

// LoginParams are credentials plus the client address, for rate limiting.
type LoginParams struct {
	Email    string
	Password string
	ClientIP string
}

var errBadCredentials = gmc.Errorf(gmc.ErrUnauthenticated, "invalid_credentials", "email or password is wrong")

// Login checks credentials and starts a new refresh-token family. Unknown
// email and wrong password answer the same, after the same work.
func (s *Service) Login(ctx context.Context, p LoginParams) (*TokenPair, error) {
	email := gmc.NormalizeEmail(p.Email)
	attempt, err := s.startLogin(ctx, email, p.ClientIP)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, gmc.ErrNotFound) {
		verifyPassword(s.dummyHash, p.Password)
		attempt.failed(ctx)
		return nil, errBadCredentials
	} else if err != nil {
		return nil, err
	}
	if !verifyPassword(u.PasswordHash, p.Password) {
		attempt.failed(ctx)
		return nil, errBadCredentials
	}
	attempt.succeeded(ctx)
	return s.startSession(ctx, u.ID, u.TokenVersion)
}

// startSession signs an access token and starts a new refresh-token family.
func (s *Service) startSession(ctx context.Context, userID string, tokenVersion int64) (*TokenPair, error) {
	now := s.clock()
	access, err := s.signAccessToken(userID, tokenVersion, now)
	if err != nil {
		return nil, err
	}
	refresh, hash, err := newRefreshSecret()
	if err != nil {
		return nil, err
	}
	t := &gmc.RefreshToken{ID: s.newID(), FamilyID: s.newID(), UserID: userID, TokenHash: hash, CreatedAt: now, ExpiresAt: now.Add(RefreshTokenTTL)}
	if err := s.store.CreateRefreshToken(ctx, t); err != nil {
		return nil, err
	}
	return &TokenPair{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL.Seconds())}, nil
}

// Refresh spends a refresh token and returns a new pair in the same family.
// A token presented twice revokes its whole family.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*TokenPair, error) {
	if refreshToken == "" {
		return nil, gmc.Invalid("body.refresh_token", "is required")
	}
	now := s.clock()
	refresh, hash, err := newRefreshSecret()
	if err != nil {
		return nil, err
	}
	next := &gmc.RefreshToken{ID: s.newID(), TokenHash: hash, CreatedAt: now, ExpiresAt: now.Add(RefreshTokenTTL)}
	if err := s.store.RotateRefreshToken(ctx, hashRefresh(refreshToken), next, now); err != nil {
		if next.UserID != "" { // reuse: the account's sessions were ended
			s.sessionsChanged(ctx, next.UserID)
		}
		return nil, err
	}
	tokenVersion, err := s.accounts.TokenVersion(ctx, next.UserID, s.loadTokenVersion)
	if errors.Is(err, gmc.ErrNotFound) {
		return nil, errAccountGone
	} else if err != nil {
		return nil, err
	}
	access, err := s.signAccessToken(next.UserID, tokenVersion, now)
	if err != nil {
		return nil, err
	}
	return &TokenPair{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL.Seconds())}, nil
}

// Logout revokes the refresh token's family and ends every access token of
// its account: an access token does not say which login it belongs to, so
// the account's other logins lose theirs too and get new ones by refreshing.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	if refreshToken == "" {
		return gmc.Invalid("body.refresh_token", "is required")
	}
	userID, err := s.store.RevokeRefreshFamily(ctx, hashRefresh(refreshToken), s.clock())
	if err != nil {
		return err
	}
	if userID != "" {
		s.sessionsChanged(ctx, userID)
	}
	return nil
}
