package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

// CreateRefreshToken stores t.
func (db *DB) CreateRefreshToken(ctx context.Context, t *gmc.RefreshToken) error {
	return db.tx(ctx, func(tx pgx.Tx) error { return insertRefreshToken(ctx, tx, t) })
}

func insertRefreshToken(ctx context.Context, tx pgx.Tx, t *gmc.RefreshToken) error {
	_, err := tx.Exec(ctx, `INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.FamilyID, t.UserID, t.TokenHash, t.ExpiresAt, t.CreatedAt)
	return interpretError(err)
}

// errReused leaves the rotation transaction so that the family revocation
// that follows commits on its own, whatever the caller does next.
var errReused = errors.New("refresh token reused")

// RotateRefreshToken spends the old token and stores next.
func (db *DB) RotateRefreshToken(ctx context.Context, oldHash []byte, next *gmc.RefreshToken, now time.Time) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var id, family, user string
		var expires time.Time
		var used, revoked *time.Time
		// FOR UPDATE: of two requests presenting the same token, the second
		// waits here and then sees it spent, so it counts as reuse instead
		// of both rotating it.
		err := tx.QueryRow(ctx, `SELECT id, family_id, user_id, expires_at, used_at, revoked_at FROM refresh_tokens
			WHERE token_hash = $1 FOR UPDATE`, oldHash).Scan(&id, &family, &user, &expires, &used, &revoked)
		if errors.Is(err, pgx.ErrNoRows) {
			return gmc.Errorf(gmc.ErrUnauthenticated, "invalid_refresh_token", "the refresh token is not valid")
		} else if err != nil {
			return interpretError(err)
		}
		if used != nil || revoked != nil {
			return errReused
		}
		if !now.Before(expires) {
			return gmc.Errorf(gmc.ErrUnauthenticated, "invalid_refresh_token", "the refresh token has expired")
		}
		if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET used_at = $1 WHERE id = $2`, now, id); err != nil {
			return interpretError(err)
		}
		next.FamilyID, next.UserID = family, user
		return insertRefreshToken(ctx, tx, next)
	})
	if errors.Is(err, errReused) {
		if err := db.RevokeRefreshFamily(ctx, oldHash, now); err != nil {
			return err
		}
		return gmc.Errorf(gmc.ErrUnauthenticated, "refresh_token_reused", "the refresh token was already used; every session of this login has been signed out")
	}
	return err
}

// RevokeRefreshFamily revokes the family of the token with hash.
func (db *DB) RevokeRefreshFamily(ctx context.Context, hash []byte, now time.Time) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $1
			WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $2) AND revoked_at IS NULL`, now, hash)
		return interpretError(err)
	})
}
