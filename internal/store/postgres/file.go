package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const fileColumns = `id, campaign_id, blob_key, name, content_type, size_bytes, sha256, kind, character_id, location_id, session_id,
	visibility, created_by, created_at`

func scanFile(row pgx.Row) (*gmc.File, error) {
	var f gmc.File
	if err := row.Scan(&f.ID, &f.CampaignID, &f.BlobKey, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.Kind,
		&f.CharacterID, &f.LocationID, &f.SessionID, &f.Visibility, &f.CreatedBy, &f.CreatedAt); err != nil {
		return nil, interpretError(err)
	}
	f.CreatedAt = f.CreatedAt.UTC()
	return &f, nil
}

// fileTargets names the table of each attachment column.
var fileTargets = []string{"characters", "locations", "game_sessions"}

// CreateFile inserts f within the campaign's quota.
func (db *DB) CreateFile(ctx context.Context, f *gmc.File, quota int64, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, f.CampaignID); err != nil {
			return err
		}
		for i, id := range []*string{f.CharacterID, f.LocationID, f.SessionID} {
			if id == nil {
				continue
			}
			if !isUUID(*id) {
				return gmc.ErrNotFound
			}
			var n int
			q := `SELECT count(*) FROM ` + fileTargets[i] + ` WHERE id = $1 AND campaign_id = $2`
			if err := tx.QueryRow(ctx, q, *id, f.CampaignID).Scan(&n); err != nil {
				return interpretError(err)
			}
			if n == 0 {
				return gmc.ErrNotFound
			}
		}
		if quota > 0 {
			// Uploads to one campaign take turns from here to the commit,
			// so that two cannot both fit in the room left for one.
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('gmc.files:' || $1::text, 0))`, f.CampaignID); err != nil {
				return interpretError(err)
			}
			var used int64
			if err := tx.QueryRow(ctx, `SELECT coalesce(sum(size_bytes), 0) FROM files WHERE campaign_id = $1`, f.CampaignID).Scan(&used); err != nil {
				return interpretError(err)
			}
			if used+f.Size > quota {
				return gmc.ErrTooLarge
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO files (`+fileColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			f.ID, f.CampaignID, f.BlobKey, f.Name, f.ContentType, f.Size, f.SHA256, f.Kind, f.CharacterID, f.LocationID, f.SessionID,
			f.Visibility, f.CreatedBy, f.CreatedAt)
		if err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// File returns the file with id.
func (db *DB) File(ctx context.Context, id string) (*gmc.File, error) {
	if !isUUID(id) {
		return nil, gmc.ErrNotFound
	}
	return scanFile(db.q.QueryRow(ctx, `SELECT `+fileColumns+` FROM files WHERE id = $1`, id))
}

// Files lists a campaign's files matching q.
func (db *DB) Files(ctx context.Context, campaignID string, q store.FileQuery) ([]*gmc.File, error) {
	if !isUUID(campaignID) || q.AttachedTo != "" && !isUUID(q.AttachedTo) {
		return nil, nil
	}
	var attached *string
	if q.AttachedTo != "" {
		attached = &q.AttachedTo
	}
	rows, err := db.q.Query(ctx, `SELECT `+fileColumns+` FROM files WHERE campaign_id = $1
		AND ($2 = '' OR kind = $2)
		AND ($3::uuid IS NULL OR $3 IN (character_id, location_id, session_id))
		ORDER BY id`, campaignID, q.Kind, attached)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, scanFile)
}

// FileUsage is how many bytes the campaign's files take.
func (db *DB) FileUsage(ctx context.Context, campaignID string) (int64, error) {
	if !isUUID(campaignID) {
		return 0, nil
	}
	var used int64
	err := db.q.QueryRow(ctx, `SELECT coalesce(sum(size_bytes), 0) FROM files WHERE campaign_id = $1`, campaignID).Scan(&used)
	return used, interpretError(err)
}

// DeleteFile removes the file with id.
func (db *DB) DeleteFile(ctx context.Context, id string, ev *gmc.Event) error {
	if !isUUID(id) {
		return gmc.ErrNotFound
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM files WHERE id = $1`, id)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(tag); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}
