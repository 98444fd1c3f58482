package postgres

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const campaignColumns = `id, name, description, game_system, settings, created_by, version, created_at, updated_at`

func scanCampaign(row pgx.Row) (*gmc.Campaign, error) {
	var c gmc.Campaign
	var settings []byte
	if err := row.Scan(&c.ID, &c.Name, &c.Description, &c.GameSystem, &settings, &c.CreatedBy, &c.Version, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, interpretError(err)
	}
	// Unmarshal over the defaults so that a setting added after the row was
	// written reads as its default, as in SQLite.
	c.Settings = gmc.DefaultCampaignSettings()
	if err := json.Unmarshal(settings, &c.Settings); err != nil {
		return nil, err
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// CreateCampaign inserts c with gm as its first member.
func (db *DB) CreateCampaign(ctx context.Context, c *gmc.Campaign, gm *gmc.Member, ev *gmc.Event) error {
	settings, err := json.Marshal(c.Settings)
	if err != nil {
		return err
	}
	c.Version = 1
	return db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO campaigns (`+campaignColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.ID, c.Name, c.Description, c.GameSystem, string(settings), c.CreatedBy, c.Version, c.CreatedAt, c.UpdatedAt); err != nil {
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
	return scanCampaign(db.q.QueryRow(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1`, id))
}

// MemberCampaign returns the campaign with userID's role in it, joined in
// one statement.
func (db *DB) MemberCampaign(ctx context.Context, id, userID string) (*gmc.Campaign, gmc.Role, error) {
	if !isUUID(id) || !isUUID(userID) {
		return nil, "", gmc.ErrNotFound
	}
	var role string
	c, err := scanCampaign(withRole{db.q.QueryRow(ctx, `SELECT `+prefixed("c.", campaignColumns)+`, m.role
		FROM members m JOIN campaigns c ON c.id = m.campaign_id WHERE m.campaign_id = $1 AND m.user_id = $2`, id, userID), &role})
	if err != nil {
		return nil, "", err
	}
	return c, gmc.Role(role), nil
}

// Campaigns lists campaigns in creation order.
func (db *DB) Campaigns(ctx context.Context, f store.CampaignFilter) ([]*gmc.Campaign, string, error) {
	f.Page = f.Page.Normalize()
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", err
	}
	if f.MemberID != "" && !isUUID(f.MemberID) {
		return nil, "", nil
	}
	q := `SELECT ` + campaignColumns + ` FROM campaigns WHERE true`
	args := pgx.NamedArgs{"limit": f.Page.Limit + 1}
	if f.Page.Cursor != "" {
		q += ` AND id > @cursor`
		args["cursor"] = f.Page.Cursor
	}
	if f.MemberID != "" {
		q += ` AND id IN (SELECT campaign_id FROM members WHERE user_id = @member)`
		args["member"] = f.MemberID
	}
	rows, err := db.q.Query(ctx, q+` ORDER BY id LIMIT @limit`, args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanCampaign)
	if err != nil {
		return nil, "", err
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
	err = db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE campaigns SET name = $1, description = $2, game_system = $3, settings = $4, version = version + 1, updated_at = $5
			WHERE id = $6 AND version = $7`, c.Name, c.Description, c.GameSystem, string(settings), c.UpdatedAt, c.ID, c.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, tag, "campaigns", c.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		c.Version++ // only once the new version is committed
	}
	return err
}

// DeleteCampaign removes the campaign; ON DELETE CASCADE removes its content
// and audit log with it.
func (db *DB) DeleteCampaign(ctx context.Context, id string) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM campaigns WHERE id = $1`, id)
		if err != nil {
			return interpretError(err)
		}
		return mustAffect(tag)
	})
}

// lockCampaign takes a share lock on the campaign row before a membership
// change. Inserts into the campaign's tables take the same lock through
// their foreign key anyway; taking it first keeps the order "campaign, then
// its member rows" that DeleteCampaign and DeleteUser follow, so none of
// them can deadlock with another.
func lockCampaign(ctx context.Context, tx pgx.Tx, id string) error {
	var locked string
	err := tx.QueryRow(ctx, `SELECT id FROM campaigns WHERE id = $1 FOR KEY SHARE`, id).Scan(&locked)
	return interpretError(err)
}

// collect scans every row with scan and closes rows.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, interpretError(rows.Err())
}
