package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

const userColumns = `id, email, display_name, password_hash, version, created_at, updated_at, token_version`

// userInsertColumns leave token_version to its default.
const userInsertColumns = `id, email, display_name, password_hash, version, created_at, updated_at`

func scanUser(row pgx.Row) (*gmc.User, error) {
	var u gmc.User
	if err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &u.Version, &u.CreatedAt, &u.UpdatedAt, &u.TokenVersion); err != nil {
		return nil, interpretError(err)
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

func errEmailTaken() error {
	return gmc.Errorf(gmc.ErrConflict, "email_taken", "an account with this email already exists")
}

// CreateUser inserts u.
func (db *DB) CreateUser(ctx context.Context, u *gmc.User) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO users (`+userInsertColumns+`) VALUES ($1, $2, $3, $4, 1, $5, $6)`,
			u.ID, u.Email, u.DisplayName, u.PasswordHash, u.CreatedAt, u.UpdatedAt)
		return interpretError(err)
	})
	if errors.Is(err, gmc.ErrConflict) {
		return errEmailTaken()
	}
	if err == nil {
		u.Version = 1
	}
	return err
}

// User returns the user with id.
func (db *DB) User(ctx context.Context, id string) (*gmc.User, error) {
	return scanUser(db.q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// UserByEmail returns the user with email.
func (db *DB) UserByEmail(ctx context.Context, email string) (*gmc.User, error) {
	return scanUser(db.q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
}

// UpdateUser writes u when its version is current.
func (db *DB) UpdateUser(ctx context.Context, u *gmc.User) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		// A concurrent update of the same row makes this one wait and then
		// re-check "version = $6" against the committed row, so exactly one
		// of two writers from the same version wins.
		tag, err := tx.Exec(ctx, `UPDATE users SET email = $1, display_name = $2, password_hash = $3, version = version + 1, updated_at = $4
			WHERE id = $5 AND version = $6`, u.Email, u.DisplayName, u.PasswordHash, u.UpdatedAt, u.ID, u.Version)
		if err = interpretError(err); errors.Is(err, gmc.ErrConflict) {
			return errEmailTaken()
		} else if err != nil {
			return err
		}
		return checkVersioned(ctx, tx, tag, "users", u.ID)
	})
	if err == nil {
		u.Version++ // only once the new version is committed
	}
	return err
}

// DeleteUser removes the user and the campaigns only they belong to.
func (db *DB) DeleteUser(ctx context.Context, id string) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockUserForDelete(ctx, tx, id); err != nil {
			return err
		}
		if err := lockCampaignsOf(ctx, tx, id); err != nil {
			return err
		}
		if err := ensureNotLastGMAnywhere(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM campaigns c WHERE c.id IN (SELECT campaign_id FROM members WHERE user_id = $1)
			AND NOT EXISTS (SELECT 1 FROM members o WHERE o.campaign_id = c.id AND o.user_id <> $1)`, id); err != nil {
			return interpretError(err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
		if err != nil {
			return interpretError(err)
		}
		return mustAffect(tag)
	})
}

// lockUserForDelete deletes the user's refresh tokens and locks the user row.
//
// The tokens go first, explicitly, rather than through ON DELETE CASCADE
// after the user row: a rotation locks its token and then references the
// user, so taking them in the other order could deadlock with it. The user
// row lock makes anything that would add a row referencing the user (a
// membership, a token) wait and then fail with ErrNotFound, instead of
// leaving, say, a new campaign without members.
func lockUserForDelete(ctx context.Context, tx pgx.Tx, id string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM refresh_tokens WHERE user_id = $1`, id); err != nil {
		return interpretError(err)
	}
	var locked string
	err := tx.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, id).Scan(&locked)
	return interpretError(err)
}

// lockCampaignsOf locks every campaign the user belongs to, in id order.
// Membership changes lock their campaign first (lockCampaign, or the
// foreign-key check of an insert), so once this returns the member lists
// the last-GM check and the sole-member delete read cannot change.
func lockCampaignsOf(ctx context.Context, tx pgx.Tx, userID string) error {
	rows, err := tx.Query(ctx, `SELECT id FROM campaigns WHERE id IN (SELECT campaign_id FROM members WHERE user_id = $1)
		ORDER BY id FOR UPDATE`, userID)
	if err != nil {
		return interpretError(err)
	}
	rows.Close()
	return interpretError(rows.Err())
}

// ensureNotLastGMAnywhere fails when the user is the only GM of a campaign
// that has other members.
func ensureNotLastGMAnywhere(ctx context.Context, tx pgx.Tx, userID string) error {
	var lastGM int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM members m
		WHERE m.user_id = $1 AND m.role = 'gm'
		AND NOT EXISTS (SELECT 1 FROM members g WHERE g.campaign_id = m.campaign_id AND g.role = 'gm' AND g.user_id <> m.user_id)
		AND EXISTS (SELECT 1 FROM members o WHERE o.campaign_id = m.campaign_id AND o.user_id <> m.user_id)`, userID).Scan(&lastGM)
	if err != nil {
		return interpretError(err)
	}
	if lastGM > 0 {
		return gmc.Errorf(gmc.ErrConflict, "last_gm", "you are the last GM of %d campaign(s) with other members; hand the GM role on first", lastGM)
	}
	return nil
}
