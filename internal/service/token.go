package service

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Token lifetimes.
const (
	AccessTokenTTL  = 15 * time.Minute
	RefreshTokenTTL = 30 * 24 * time.Hour
)

type tokenKeys struct {
	access []byte
}

// deriveTokenKeys derives purpose-bound keys from the master secret, so the
// JWT key never equals the secret itself or any other key made from it.
func deriveTokenKeys(secret []byte) (tokenKeys, error) {
	access, err := hkdf.Key(sha256.New, secret, nil, "gmc access-token signing v1", 32)
	if err != nil {
		return tokenKeys{}, fmt.Errorf("derive access-token key: %w", err)
	}
	return tokenKeys{access: access}, nil
}

// TokenPair is what login and refresh return.
type TokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// accessClaims are an access token's claims. TokenVersion ("tv") is the
// account's gmc.User.TokenVersion when the token was signed; a token
// without it, signed before token versions existed, counts as version 0,
// the version every account started at, so it is exactly as trusted as a
// token signed then and ends with the first raise like any other. Refusing
// it instead would have sent every client through a refresh at the upgrade
// and protected nothing: forging it needs the signing key.
type accessClaims struct {
	jwt.RegisteredClaims
	TokenVersion int64 `json:"tv,omitempty"`
}

func (s *Service) signAccessToken(userID string, tokenVersion int64, now time.Time) (string, error) {
	claims := accessClaims{RegisteredClaims: jwt.RegisteredClaims{
		Subject:   userID,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)),
		ID:        s.newID(),
	}, TokenVersion: tokenVersion}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.tokens.access)
}

// verifyAccessToken checks an access token's signature and lifetime and
// returns its claims. Only HS256 with our key is accepted: "none" and every
// other algorithm are refused before the signature is looked at, which
// rules out algorithm confusion.
//
// A token that passed is remembered (verifiedTokens): the signature of the
// same string under the same key cannot change, so a later request with
// it skips the HMAC and the JSON decoding and only has its expiry checked
// again. The revocation check (Authenticate's token version) runs on every
// request either way.
func (s *Service) verifyAccessToken(token string) (*accessClaims, error) {
	if c, ok := s.verified.get(token); ok {
		if !s.now().Before(c.ExpiresAt.Time) {
			return nil, gmc.Errorf(gmc.ErrUnauthenticated, "token_expired", "the access token has expired; refresh it")
		}
		return c, nil
	}
	var claims accessClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.tokens.access, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(s.now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, gmc.Errorf(gmc.ErrUnauthenticated, "token_expired", "the access token has expired; refresh it")
		}
		return nil, gmc.Errorf(gmc.ErrUnauthenticated, "invalid_token", "the access token is not valid")
	}
	if claims.Subject == "" {
		return nil, gmc.Errorf(gmc.ErrUnauthenticated, "invalid_token", "the access token is not valid")
	}
	s.verified.put(token, &claims)
	return &claims, nil
}

// verifiedTokens remembers access tokens whose signature was checked. Its
// size is bounded by emptying it when full: a few thousand live tokens
// cover every signed-in client of a host, and a refill costs one
// verification per client.
type verifiedTokens struct {
	mu sync.RWMutex
	m  map[string]*accessClaims
}

const maxVerifiedTokens = 8192

func (v *verifiedTokens) get(token string) (*accessClaims, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	c, ok := v.m[token]
	return c, ok
}

func (v *verifiedTokens) put(token string, c *accessClaims) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxVerifiedTokens {
		v.m = make(map[string]*accessClaims)
	}
	v.m[token] = c
}

// newRefreshSecret returns a 256-bit random token and its SHA-256 hash.
func newRefreshSecret() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashRefresh(token), nil
}

func hashRefresh(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
