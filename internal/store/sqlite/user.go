package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gmc-project/gmc/internal/gmc"
)

const userColumns = `id, email, display_name, password_hash, version, created_at, updated_at, token_version`

// userInsertColumns leave token_version to its default.
const userInsertColumns = `id, email, display_name, password_hash, version, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*gmc.User, error) {
	var u gmc.User
	var created, updated int64
	if err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &u.Version, &created, &updated, &u.TokenVersion); err != nil {
		return nil, interpretError(err)
	}
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &u, nil
}

// CreateUser inserts u.
func (db *DB) CreateUser(ctx context.Context, u *gmc.User) error {
	u.Version = 1
	err := db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userInsertColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Email, u.DisplayName, u.PasswordHash, u.Version, micros(u.CreatedAt), micros(u.UpdatedAt))
		return interpretError(err)
	})
	if errors.Is(err, gmc.ErrConflict) {
		return gmc.Errorf(gmc.ErrConflict, "email_taken", "an account with this email already exists")
	}
	return err
}

// User returns the user with id.
func (db *DB) User(ctx context.Context, id string) (*gmc.User, error) {
	return scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// UserByEmail returns the user with email.
func (db *DB) UserByEmail(ctx context.Context, email string) (*gmc.User, error) {
	return scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
}

// UpdateUser writes u when its version is current.
func (db *DB) UpdateUser(ctx context.Context, u *gmc.User) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, display_name = ?, password_hash = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, u.Email, u.DisplayName, u.PasswordHash, micros(u.UpdatedAt), u.ID, u.Version)
		if err = interpretError(err); errors.Is(err, gmc.ErrConflict) {
			return gmc.Errorf(gmc.ErrConflict, "email_taken", "an account with this email already exists")
		} else if err != nil {
			return err
		}
		if err := checkVersioned(ctx, tx, res, "users", u.ID); err != nil {
			return err
		}
		u.Version++
		return nil
	})
}

// DeleteUser removes the user and the campaigns only they belong to.
func (db *DB) DeleteUser(ctx context.Context, id string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var lastGM int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM members m
			WHERE m.user_id = ? AND m.role = 'gm'
			AND NOT EXISTS (SELECT 1 FROM members g WHERE g.campaign_id = m.campaign_id AND g.role = 'gm' AND g.user_id <> m.user_id)
			AND EXISTS (SELECT 1 FROM members o WHERE o.campaign_id = m.campaign_id AND o.user_id <> m.user_id)`, id).Scan(&lastGM)
		if err != nil {
			return interpretError(err)
		}
		if lastGM > 0 {
			return gmc.Errorf(gmc.ErrConflict, "last_gm", "you are the last GM of %d campaign(s) with other members; hand the GM role on first", lastGM)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM campaigns WHERE id IN (SELECT campaign_id FROM members WHERE user_id = ?)
			AND NOT EXISTS (SELECT 1 FROM members o WHERE o.campaign_id = campaigns.id AND o.user_id <> ?)`, id, id); err != nil {
			return interpretError(err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
		if err != nil {
			return interpretError(err)
		}
		return mustAffect(res)
	})
}

// checkVersioned turns an UPDATE … WHERE version = ? that touched no row
// into ErrNotFound or a stale-version ErrConflict.
func checkVersioned(ctx context.Context, q querier, res sql.Result, table, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	var current int64
	if err := q.QueryRowContext(ctx, fmt.Sprintf(`SELECT version FROM %s WHERE id = ?`, table), id).Scan(&current); err != nil {
		return interpretError(err)
	}
	return gmc.StaleVersion(current)
}

func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return gmc.ErrNotFound
	}
	return nil
}
