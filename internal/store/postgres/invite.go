package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

// CreateInvite stores inv.
func (db *DB) CreateInvite(ctx context.Context, inv *gmc.Invite, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO invites (id, campaign_id, code, role, max_uses, uses, created_by, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)`,
			inv.ID, inv.CampaignID, inv.Code, string(inv.Role), inv.MaxUses, inv.CreatedBy, inv.ExpiresAt, inv.CreatedAt)
		if err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// AcceptInvite spends one use of the invite and adds m to its campaign.
func (db *DB) AcceptInvite(ctx context.Context, code string, m *gmc.Member, now time.Time, ev *gmc.Event) (*gmc.Invite, error) {
	var inv *gmc.Invite
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var err error
		if inv, err = lockInvite(ctx, tx, code); err != nil {
			return err
		}
		if !now.Before(inv.ExpiresAt) || inv.Uses >= inv.MaxUses {
			return gmc.Errorf(gmc.ErrNotFound, "invite_not_found", "the invite has expired or been used up")
		}
		m.CampaignID, m.Role = inv.CampaignID, inv.Role
		if err := insertMember(ctx, tx, m); errors.Is(err, gmc.ErrConflict) {
			return gmc.Errorf(gmc.ErrConflict, "already_member", "you are already a member of this campaign")
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE invites SET uses = uses + 1 WHERE id = $1`, inv.ID); err != nil {
			return interpretError(err)
		}
		inv.Uses++
		ev.CampaignID = inv.CampaignID
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// lockInvite returns the invite with code, locked so that concurrent
// accepts of one code queue up and each sees the uses of those before it.
// Its campaign is locked first, in the order DeleteCampaign takes them
// (campaign, then the invites it cascades to), so the two cannot deadlock.
func lockInvite(ctx context.Context, tx pgx.Tx, code string) (*gmc.Invite, error) {
	notFound := gmc.Errorf(gmc.ErrNotFound, "invite_not_found", "no such invite code")
	var campaignID string
	err := tx.QueryRow(ctx, `SELECT campaign_id FROM invites WHERE code = $1`, code).Scan(&campaignID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound
	} else if err != nil {
		return nil, interpretError(err)
	}
	if err := lockCampaign(ctx, tx, campaignID); errors.Is(err, gmc.ErrNotFound) {
		return nil, notFound // deleted meanwhile, and the invite with it
	} else if err != nil {
		return nil, err
	}
	var inv gmc.Invite
	var role string
	err = tx.QueryRow(ctx, `SELECT id, campaign_id, code, role, max_uses, uses, created_by, expires_at, created_at FROM invites
		WHERE code = $1 FOR UPDATE`, code).
		Scan(&inv.ID, &inv.CampaignID, &inv.Code, &role, &inv.MaxUses, &inv.Uses, &inv.CreatedBy, &inv.ExpiresAt, &inv.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound
	} else if err != nil {
		return nil, interpretError(err)
	}
	inv.Role, inv.ExpiresAt, inv.CreatedAt = gmc.Role(role), inv.ExpiresAt.UTC(), inv.CreatedAt.UTC()
	return &inv, nil
}
