package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

const foreshadowingColumns = `id, campaign_id, plot_id, description, planted_session_id, planted_session_number, revealed, revealed_session_id, revealed_at, version, created_at, updated_at`

func scanForeshadowing(row pgx.Row) (*gmc.Foreshadowing, error) {
	var f gmc.Foreshadowing
	if err := row.Scan(&f.ID, &f.CampaignID, &f.PlotID, &f.Description, &f.PlantedSessionID, &f.PlantedSessionNumber, &f.Revealed,
		&f.RevealedSessionID, &f.RevealedAt, &f.Version, &f.CreatedAt, &f.UpdatedAt); err != nil {
		return nil, interpretError(err)
	}
	if f.RevealedAt != nil {
		at := f.RevealedAt.UTC()
		f.RevealedAt = &at
	}
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return &f, nil
}

// CreateForeshadowing inserts f; the composite foreign key turns a thread
// of another campaign into ErrNotFound.
func (db *DB) CreateForeshadowing(ctx context.Context, f *gmc.Foreshadowing, ev *gmc.Event) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, f.CampaignID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO foreshadowing (`+foreshadowingColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11)`,
			f.ID, f.CampaignID, f.PlotID, f.Description, f.PlantedSessionID, f.PlantedSessionNumber, f.Revealed,
			f.RevealedSessionID, f.RevealedAt, f.CreatedAt, f.UpdatedAt); err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		f.Version = 1
	}
	return err
}

// Foreshadowing returns the item with id.
func (db *DB) Foreshadowing(ctx context.Context, id string) (*gmc.Foreshadowing, error) {
	return scanForeshadowing(db.q.QueryRow(ctx, `SELECT `+foreshadowingColumns+` FROM foreshadowing WHERE id = $1`, id))
}

// Foreshadowings lists a thread's items in creation order.
func (db *DB) Foreshadowings(ctx context.Context, plotID string, forPlayers bool) ([]*gmc.Foreshadowing, error) {
	if !isUUID(plotID) {
		return []*gmc.Foreshadowing{}, nil
	}
	q := `SELECT ` + foreshadowingColumns + ` FROM foreshadowing WHERE plot_id = $1`
	if forPlayers {
		q += ` AND revealed`
	}
	rows, err := db.q.Query(ctx, q+` ORDER BY id`, plotID)
	if err != nil {
		return nil, interpretError(err)
	}
	out, err := collect(rows, scanForeshadowing)
	if out == nil && err == nil {
		out = []*gmc.Foreshadowing{}
	}
	return out, err
}

// UpdateForeshadowing writes f when its version is current.
func (db *DB) UpdateForeshadowing(ctx context.Context, f *gmc.Foreshadowing, ev *gmc.Event) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, f.CampaignID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE foreshadowing SET description = $1, revealed = $2, revealed_session_id = $3, revealed_at = $4,
			version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7`,
			f.Description, f.Revealed, f.RevealedSessionID, f.RevealedAt, f.UpdatedAt, f.ID, f.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, tag, "foreshadowing", f.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err == nil {
		f.Version++
	}
	return err
}

// DeleteForeshadowing removes f when its version is current.
func (db *DB) DeleteForeshadowing(ctx context.Context, f *gmc.Foreshadowing, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, f.CampaignID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM foreshadowing WHERE id = $1 AND version = $2`, f.ID, f.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, tag, "foreshadowing", f.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}
