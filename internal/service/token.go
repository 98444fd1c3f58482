package service

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
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

func (s *Service) signAccessToken(userID string, now time.Time) (string, error) {
	claims := jwt.RegisteredClaims{
		Subject:   userID,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)),
		ID:        s.newID(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.tokens.access)
}

// verifyAccessToken checks an access token and returns its user id. Only
// HS256 with our key is accepted: "none" and every other algorithm are
// refused before the signature is looked at, which rules out algorithm
// confusion.
func (s *Service) verifyAccessToken(token string) (string, error) {
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.tokens.access, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(s.now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return "", gmc.Errorf(gmc.ErrUnauthenticated, "token_expired", "the access token has expired; refresh it")
		}
		return "", gmc.Errorf(gmc.ErrUnauthenticated, "invalid_token", "the access token is not valid")
	}
	if claims.Subject == "" {
		return "", gmc.Errorf(gmc.ErrUnauthenticated, "invalid_token", "the access token is not valid")
	}
	return claims.Subject, nil
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
