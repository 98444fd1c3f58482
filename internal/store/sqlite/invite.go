package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// CreateInvite stores inv.
func (db *DB) CreateInvite(ctx context.Context, inv *gmc.Invite, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO invites (id, campaign_id, code, role, max_uses, uses, created_by, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
			inv.ID, inv.CampaignID, inv.Code, string(inv.Role), inv.MaxUses, inv.CreatedBy, micros(inv.ExpiresAt), micros(inv.CreatedAt))
		if err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// AcceptInvite spends one use of the invite and adds m to its campaign.
func (db *DB) AcceptInvite(ctx context.Context, code string, m *gmc.Member, now time.Time, ev *gmc.Event) (*gmc.Invite, error) {
	var inv gmc.Invite
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var role string
		var expires, created int64
		err := tx.QueryRowContext(ctx, `SELECT id, campaign_id, code, role, max_uses, uses, created_by, expires_at, created_at FROM invites WHERE code = ?`, code).
			Scan(&inv.ID, &inv.CampaignID, &inv.Code, &role, &inv.MaxUses, &inv.Uses, &inv.CreatedBy, &expires, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return gmc.Errorf(gmc.ErrNotFound, "invite_not_found", "no such invite code")
		} else if err != nil {
			return interpretError(err)
		}
		inv.Role, inv.ExpiresAt, inv.CreatedAt = gmc.Role(role), fromMicros(expires), fromMicros(created)
		if !now.Before(inv.ExpiresAt) || inv.Uses >= inv.MaxUses {
			return gmc.Errorf(gmc.ErrNotFound, "invite_not_found", "the invite has expired or been used up")
		}
		m.CampaignID, m.Role = inv.CampaignID, inv.Role
		if err := insertMember(ctx, tx, m); errors.Is(err, gmc.ErrConflict) {
			return gmc.Errorf(gmc.ErrConflict, "already_member", "you are already a member of this campaign")
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invites SET uses = uses + 1 WHERE id = ?`, inv.ID); err != nil {
			return interpretError(err)
		}
		inv.Uses++
		ev.CampaignID = inv.CampaignID
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return nil, err
	}
	return &inv, nil
}
