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
}

// Register creates an account.
func (s *Service) Register(ctx context.Context, p RegisterParams) (*gmc.User, error) {
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

var errAccountGone = gmc.Errorf(gmc.ErrUnauthenticated, "invalid_token", "the account no longer exists")

// Authenticate checks an access token and that its account still exists,
// and returns the account's id. A signed token outlives a deleted account
// by up to AccessTokenTTL; without the check its requests would reach
// the rules as a stranger's (404, 403, an empty list) or fail on the
// missing row. The check is one primary-key read per authenticated
// request; a cached per-account token version can replace it.
func (s *Service) Authenticate(ctx context.Context, token string) (string, error) {
	id, err := s.verifyAccessToken(token)
	if err != nil {
		return "", err
	}
	if _, err := s.store.User(ctx, id); errors.Is(err, gmc.ErrNotFound) {
		return "", errAccountGone
	} else if err != nil {
		return "", err
	}
	return id, nil
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
	return s.startSession(ctx, u.ID)
}

// startSession signs an access token and starts a new refresh-token family.
func (s *Service) startSession(ctx context.Context, userID string) (*TokenPair, error) {
	now := s.clock()
	access, err := s.signAccessToken(userID, now)
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
		return nil, err
	}
	access, err := s.signAccessToken(next.UserID, now)
	if err != nil {
		return nil, err
	}
	return &TokenPair{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL.Seconds())}, nil
}

// Logout revokes the refresh token's family.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	if refreshToken == "" {
		return gmc.Invalid("body.refresh_token", "is required")
	}
	return s.store.RevokeRefreshFamily(ctx, hashRefresh(refreshToken), s.clock())
}
