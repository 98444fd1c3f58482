package sqlite

import (
	"context"
	"database/sql"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const fileColumns = `id, campaign_id, blob_key, name, content_type, size_bytes, sha256, kind, character_id, location_id, session_id,
	visibility, created_by, created_at`

func scanFile(row interface{ Scan(...any) error }) (*gmc.File, error) {
	var f gmc.File
	var created int64
	var character, location, session sql.NullString
	if err := row.Scan(&f.ID, &f.CampaignID, &f.BlobKey, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Kind,
		&character, &location, &session, &f.Visibility, &f.CreatedBy, &created); err != nil {
		return nil, interpretError(err)
	}
	f.CharacterID, f.LocationID, f.SessionID = nullToPtr(character), nullToPtr(location), nullToPtr(session)
	f.CreatedAt = fromMicros(created)
	return &f, nil
}

func nullToPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// fileTargets names the table of each attachment column.
var fileTargets = []struct{ table string }{{"characters"}, {"locations"}, {"game_sessions"}}

// CreateFile inserts f within the campaign's quota.
func (db *DB) CreateFile(ctx context.Context, f *gmc.File, quota int64, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM campaigns WHERE id = ?`, f.CampaignID).Scan(&n); err != nil {
			return interpretError(err)
		}
		if n == 0 {
			return gmc.ErrNotFound
		}
		// The attached entity must belong to the campaign; the foreign
		// keys alone would let a row name one of another campaign.
		for i, id := range []*string{f.CharacterID, f.LocationID, f.SessionID} {
			if id == nil {
				continue
			}
			q := `SELECT count(*) FROM ` + fileTargets[i].table + ` WHERE id = ? AND campaign_id = ?`
			if err := tx.QueryRowContext(ctx, q, *id, f.CampaignID).Scan(&n); err != nil {
				return interpretError(err)
			}
			if n == 0 {
				return gmc.ErrNotFound
			}
		}
		// The write lock taken at BEGIN makes this sum and the insert
		// one step.
		if quota > 0 {
			var used int64
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(size_bytes), 0) FROM files WHERE campaign_id = ?`, f.CampaignID).Scan(&used); err != nil {
				return interpretError(err)
			}
			if used+f.Size > quota {
				return gmc.ErrTooLarge
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO files (`+fileColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ID, f.CampaignID, f.BlobKey, f.Name, f.ContentType, f.Size, f.SHA256, f.Kind, f.CharacterID, f.LocationID, f.SessionID,
			f.Visibility, f.CreatedBy, micros(f.CreatedAt))
		if err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// File returns the file with id.
func (db *DB) File(ctx context.Context, id string) (*gmc.File, error) {
	return scanFile(db.read.QueryRowContext(ctx, `SELECT `+fileColumns+` FROM files WHERE id = ?`, id))
}

// Files lists a campaign's files matching q.
func (db *DB) Files(ctx context.Context, campaignID string, q store.FileQuery) ([]*gmc.File, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+fileColumns+` FROM files WHERE campaign_id = ?
		AND (? = '' OR kind = ?)
		AND (? = '' OR character_id = ? OR location_id = ? OR session_id = ?)
		ORDER BY id`, campaignID, q.Kind, q.Kind, q.AttachedTo, q.AttachedTo, q.AttachedTo, q.AttachedTo)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, scanFile)
}

// FileUsage is how many bytes the campaign's files take.
func (db *DB) FileUsage(ctx context.Context, campaignID string) (int64, error) {
	var used int64
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(sum(size_bytes), 0) FROM files WHERE campaign_id = ?`, campaignID).Scan(&used)
	return used, interpretError(err)
}

// DeleteFile removes the file with id.
func (db *DB) DeleteFile(ctx context.Context, id string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM files WHERE id = ?`, id)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}
