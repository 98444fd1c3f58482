package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const campaignColumns = `id, name, description, game_system, settings, created_by, version, created_at, updated_at`

func scanCampaign(row interface{ Scan(...any) error }) (*gmc.Campaign, error) {
	var c gmc.Campaign
	var settings string
	var created, updated int64
	if err := row.Scan(&c.ID, &c.Name, &c.Description, &c.GameSystem, &settings, &c.CreatedBy, &c.Version, &created, &updated); err != nil {
		return nil, interpretError(err)
	}
	c.Settings = gmc.DefaultCampaignSettings()
	if err := json.Unmarshal([]byte(settings), &c.Settings); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, nil
}

// CreateCampaign inserts c with gm as its first member.
func (db *DB) CreateCampaign(ctx context.Context, c *gmc.Campaign, gm *gmc.Member, ev *gmc.Event) error {
	settings, err := json.Marshal(c.Settings)
	if err != nil {
		return err
	}
	c.Version = 1
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (`+campaignColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Name, c.Description, c.GameSystem, string(settings), c.CreatedBy, c.Version, micros(c.CreatedAt), micros(c.UpdatedAt)); err != nil {
			return interpretError(err)
		}
		if err := insertMember(ctx, tx, gm); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Campaign returns the campaign with id.
func (db *DB) Campaign(ctx context.Context, id string) (*gmc.Campaign, error) {
	return scanCampaign(db.read.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = ?`, id))
}

// MemberCampaign returns the campaign with userID's role in it, joined in
// one statement.
func (db *DB) MemberCampaign(ctx context.Context, id, userID string) (*gmc.Campaign, gmc.Role, error) {
	var role string
	c, err := scanCampaign(withRole{db.read.QueryRowContext(ctx, `SELECT `+prefixed("c.", campaignColumns)+`, m.role
		FROM members m JOIN campaigns c ON c.id = m.campaign_id WHERE m.campaign_id = ? AND m.user_id = ?`, id, userID), &role})
	if err != nil {
		return nil, "", err
	}
	return c, gmc.Role(role), nil
}

// Campaigns lists campaigns in creation order.
func (db *DB) Campaigns(ctx context.Context, f store.CampaignFilter) ([]*gmc.Campaign, string, error) {
	f.Page = f.Page.Normalize()
	q := `SELECT ` + campaignColumns + ` FROM campaigns WHERE id > ?`
	args := []any{f.Page.Cursor}
	if f.MemberID != "" {
		q += ` AND id IN (SELECT campaign_id FROM members WHERE user_id = ?)`
		args = append(args, f.MemberID)
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, f.Page.Limit+1)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", interpretError(err)
	}
	defer rows.Close()
	var out []*gmc.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, "", interpretError(err)
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(c *gmc.Campaign) string { return c.ID })
	return out, next, nil
}

// UpdateCampaign writes c when its version is current.
func (db *DB) UpdateCampaign(ctx context.Context, c *gmc.Campaign, ev *gmc.Event) error {
	settings, err := json.Marshal(c.Settings)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE campaigns SET name = ?, description = ?, game_system = ?, settings = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, c.Name, c.Description, c.GameSystem, string(settings), micros(c.UpdatedAt), c.ID, c.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, res, "campaigns", c.ID); err != nil {
			return err
		}
		c.Version++
		return insertEvent(ctx, tx, ev)
	})
}

// DeleteCampaign removes the campaign; ON DELETE CASCADE removes its content
// and audit log with it.
func (db *DB) DeleteCampaign(ctx context.Context, id string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM campaigns WHERE id = ?`, id)
		if err != nil {
			return interpretError(err)
		}
		return mustAffect(res)
	})
}
