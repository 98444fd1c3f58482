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
		user, err := db.RevokeRefreshFamily(ctx, oldHash, now)
		if err != nil {
			return err
		}
		next.UserID = user
		return gmc.Errorf(gmc.ErrUnauthenticated, "refresh_token_reused", "the refresh token was already used; every session of this login has been signed out")
	}
	return err
}

// RevokeRefreshFamily revokes the family of the token with hash and raises
// its account's token version, unless the family was revoked already.
func (db *DB) RevokeRefreshFamily(ctx context.Context, hash []byte, now time.Time) (string, error) {
	var user string
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var family string
		err := tx.QueryRow(ctx, `SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = $1`, hash).Scan(&family, &user)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		} else if err != nil {
			return interpretError(err)
		}
		// Tokens before the user row: the order rotation and account
		// deletion (lockUserForDelete) take them in.
		tag, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL`, now, family)
		if err != nil {
			return interpretError(err)
		}
		if tag.RowsAffected() == 0 {
			user = "" // already revoked: its access tokens ended then
			return nil
		}
		_, err = raiseTokenVersion(ctx, tx, user)
		return err
	})
	if err != nil {
		return "", err
	}
	return user, nil
}

// EndSessions revokes every refresh family of the user and raises their
// token version.
func (db *DB) EndSessions(ctx context.Context, userID string, now time.Time) (int64, error) {
	var version int64
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, now, userID); err != nil {
			return interpretError(err)
		}
		var err error
		version, err = raiseTokenVersion(ctx, tx, userID)
		return err
	})
	return version, err
}

func raiseTokenVersion(ctx context.Context, tx pgx.Tx, userID string) (int64, error) {
	var version int64
	err := tx.QueryRow(ctx, `UPDATE users SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version`, userID).Scan(&version)
	return version, interpretError(err)
}
