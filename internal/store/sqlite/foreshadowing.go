package sqlite

import (
	"context"
	"database/sql"

	"github.com/gmc-project/gmc/internal/gmc"
)

const foreshadowingColumns = `id, campaign_id, plot_id, description, planted_session_id, planted_session_number, revealed, revealed_session_id, revealed_at, version, created_at, updated_at`

func scanForeshadowing(row interface{ Scan(...any) error }) (*gmc.Foreshadowing, error) {
	var f gmc.Foreshadowing
	var planted, revealedIn sql.NullString
	var revealedAt sql.NullInt64
	var created, updated int64
	if err := row.Scan(&f.ID, &f.CampaignID, &f.PlotID, &f.Description, &planted, &f.PlantedSessionNumber, &f.Revealed,
		&revealedIn, &revealedAt, &f.Version, &created, &updated); err != nil {
		return nil, interpretError(err)
	}
	if planted.Valid {
		f.PlantedSessionID = &planted.String
	}
	if revealedIn.Valid {
		f.RevealedSessionID = &revealedIn.String
	}
	f.RevealedAt = fromNullMicros(revealedAt)
	f.CreatedAt, f.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &f, nil
}

func queryForeshadowing(ctx context.Context, q querier, query string, args ...any) ([]*gmc.Foreshadowing, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	out := []*gmc.Foreshadowing{}
	for rows.Next() {
		f, err := scanForeshadowing(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, interpretError(rows.Err())
}

// CreateForeshadowing inserts f; the composite foreign key turns a thread
// of another campaign into ErrNotFound.
func (db *DB) CreateForeshadowing(ctx context.Context, f *gmc.Foreshadowing, ev *gmc.Event) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO foreshadowing (`+foreshadowingColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ID, f.CampaignID, f.PlotID, f.Description, f.PlantedSessionID, f.PlantedSessionNumber, f.Revealed,
			f.RevealedSessionID, nullMicros(f.RevealedAt), 1, micros(f.CreatedAt), micros(f.UpdatedAt)); err != nil {
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
	return scanForeshadowing(db.read.QueryRowContext(ctx, `SELECT `+foreshadowingColumns+` FROM foreshadowing WHERE id = ?`, id))
}

// Foreshadowings lists a thread's items in creation order.
func (db *DB) Foreshadowings(ctx context.Context, plotID string, forPlayers bool) ([]*gmc.Foreshadowing, error) {
	q := `SELECT ` + foreshadowingColumns + ` FROM foreshadowing WHERE plot_id = ?`
	if forPlayers {
		q += ` AND revealed = 1`
	}
	return queryForeshadowing(ctx, db.read, q+` ORDER BY id`, plotID)
}

// UpdateForeshadowing writes f when its version is current.
func (db *DB) UpdateForeshadowing(ctx context.Context, f *gmc.Foreshadowing, ev *gmc.Event) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE foreshadowing SET description = ?, revealed = ?, revealed_session_id = ?, revealed_at = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			f.Description, f.Revealed, f.RevealedSessionID, nullMicros(f.RevealedAt), micros(f.UpdatedAt), f.ID, f.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, res, "foreshadowing", f.ID); err != nil {
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
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM foreshadowing WHERE id = ? AND version = ?`, f.ID, f.Version)
		if err != nil {
			return interpretError(err)
		}
		if err := checkVersioned(ctx, tx, res, "foreshadowing", f.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}
