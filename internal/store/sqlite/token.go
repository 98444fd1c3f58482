package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// CreateRefreshToken stores t.
func (db *DB) CreateRefreshToken(ctx context.Context, t *gmc.RefreshToken) error {
	return db.tx(ctx, func(tx *sql.Tx) error { return insertRefreshToken(ctx, tx, t) })
}

func insertRefreshToken(ctx context.Context, tx *sql.Tx, t *gmc.RefreshToken) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, t.FamilyID, t.UserID, t.TokenHash, micros(t.ExpiresAt), micros(t.CreatedAt))
	return interpretError(err)
}

// errReused leaves the rotation transaction so that the family revocation
// that follows commits on its own, whatever the caller does next.
var errReused = errors.New("refresh token reused")

// RotateRefreshToken spends the old token and stores next.
func (db *DB) RotateRefreshToken(ctx context.Context, oldHash []byte, next *gmc.RefreshToken, now time.Time) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var id, family, user string
		var expires int64
		var used, revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT id, family_id, user_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ?`, oldHash).
			Scan(&id, &family, &user, &expires, &used, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return gmc.Errorf(gmc.ErrUnauthenticated, "invalid_refresh_token", "the refresh token is not valid")
		} else if err != nil {
			return interpretError(err)
		}
		if used.Valid || revoked.Valid {
			return errReused
		}
		if !now.Before(fromMicros(expires)) {
			return gmc.Errorf(gmc.ErrUnauthenticated, "invalid_refresh_token", "the refresh token has expired")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = ? WHERE id = ?`, micros(now), id); err != nil {
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var family string
		err := tx.QueryRowContext(ctx, `SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = ?`, hash).Scan(&family, &user)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return interpretError(err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL`, micros(now), family)
		if err != nil {
			return interpretError(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			user = "" // already revoked: its access tokens ended then
			return err
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if version, err = raiseTokenVersion(ctx, tx, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, micros(now), userID)
		return interpretError(err)
	})
	return version, err
}

func raiseTokenVersion(ctx context.Context, tx *sql.Tx, userID string) (int64, error) {
	var version int64
	err := tx.QueryRowContext(ctx, `UPDATE users SET token_version = token_version + 1 WHERE id = ? RETURNING token_version`, userID).Scan(&version)
	return version, interpretError(err)
}
