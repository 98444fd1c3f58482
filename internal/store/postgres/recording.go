package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

const recordingColumns = `id, campaign_id, session_id, blob_key, file_name, content_type, size_bytes, duration_ms, tracks, status,
	created_by, created_at, delete_after`

func scanRecording(row pgx.Row) (*gmc.Recording, error) {
	var r gmc.Recording
	if err := row.Scan(&r.ID, &r.CampaignID, &r.SessionID, &r.BlobKey, &r.FileName, &r.ContentType, &r.SizeBytes, &r.DurationMS,
		&r.Tracks, &r.Status, &r.CreatedBy, &r.CreatedAt, &r.DeleteAfter); err != nil {
		return nil, interpretError(err)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	if r.DeleteAfter != nil {
		at := r.DeleteAfter.UTC()
		r.DeleteAfter = &at
	}
	return &r, nil
}

// CreateRecording inserts r.
func (db *DB) CreateRecording(ctx context.Context, r *gmc.Recording, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, r.CampaignID); err != nil {
			return err
		}
		// The session must belong to the campaign; the foreign keys alone
		// would let a row name a session of another campaign.
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM game_sessions WHERE id = $1 AND campaign_id = $2`, r.SessionID, r.CampaignID).Scan(&n); err != nil {
			return interpretError(err)
		}
		if n == 0 {
			return gmc.ErrNotFound
		}
		_, err := tx.Exec(ctx, `INSERT INTO recordings (`+recordingColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			r.ID, r.CampaignID, r.SessionID, r.BlobKey, r.FileName, r.ContentType, r.SizeBytes, r.DurationMS, r.Tracks, r.Status,
			r.CreatedBy, r.CreatedAt, r.DeleteAfter)
		if err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Recording returns the recording with id.
func (db *DB) Recording(ctx context.Context, id string) (*gmc.Recording, error) {
	return scanRecording(db.q.QueryRow(ctx, `SELECT `+recordingColumns+` FROM recordings WHERE id = $1`, id))
}

// Recordings lists a session's recordings in id order.
func (db *DB) Recordings(ctx context.Context, sessionID string) ([]*gmc.Recording, error) {
	if !isUUID(sessionID) {
		return nil, nil
	}
	rows, err := db.q.Query(ctx, `SELECT `+recordingColumns+` FROM recordings WHERE session_id = $1 ORDER BY id`, sessionID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, scanRecording)
}

// DeleteRecording removes the recording with id.
func (db *DB) DeleteRecording(ctx context.Context, id string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM recordings WHERE id = $1`, id)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(tag); err != nil {
			return err
		}
		if ev == nil {
			return nil
		}
		return insertEvent(ctx, tx, ev)
	})
}

// ExpiredRecordings lists recordings due for deletion at now.
func (db *DB) ExpiredRecordings(ctx context.Context, now time.Time, limit int) ([]*gmc.Recording, error) {
	rows, err := db.q.Query(ctx, `SELECT `+recordingColumns+` FROM recordings
		WHERE delete_after IS NOT NULL AND delete_after <= $1 ORDER BY delete_after, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, scanRecording)
}

// SetRecordingStatus changes a recording's status.
func (db *DB) SetRecordingStatus(ctx context.Context, id, status string) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE recordings SET status = $1 WHERE id = $2`, status, id)
		if err != nil {
			return interpretError(err)
		}
		return mustAffect(tag)
	})
}

// OrphanedBlobs lists blob keys of deleted recordings.
func (db *DB) OrphanedBlobs(ctx context.Context, limit int) ([]string, error) {
	rows, err := db.q.Query(ctx, `SELECT blob_key FROM orphaned_blobs ORDER BY blob_key LIMIT $1`, limit)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, func(row pgx.Row) (string, error) {
		var key string
		return key, interpretError(row.Scan(&key))
	})
}

// ForgetOrphanedBlob drops a key whose blob is deleted.
func (db *DB) ForgetOrphanedBlob(ctx context.Context, key string) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM orphaned_blobs WHERE blob_key = $1`, key)
		return interpretError(err)
	})
}

// AddOrphanedBlob records a blob that may have no row yet.
func (db *DB) AddOrphanedBlob(ctx context.Context, key string) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO orphaned_blobs (blob_key) VALUES ($1) ON CONFLICT DO NOTHING`, key)
		return interpretError(err)
	})
}

// BlobReferenced reports whether a file or recording row refers to key.
func (db *DB) BlobReferenced(ctx context.Context, key string) (bool, error) {
	var used bool
	err := db.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM files WHERE blob_key = $1)
		OR EXISTS (SELECT 1 FROM recordings WHERE blob_key = $1)`, key).Scan(&used)
	return used, interpretError(err)
}

// LockBlob takes key's advisory lock, the one the orphan triggers take
// shared (migration 00020), until the transaction ends.
func (db *DB) LockBlob(ctx context.Context, key string, exclusive bool) error {
	if db.open == nil {
		return errors.New("postgres: LockBlob outside a transaction")
	}
	lock := `pg_advisory_xact_lock_shared`
	if exclusive {
		lock = `pg_advisory_xact_lock`
	}
	_, err := db.q.Exec(ctx, `SELECT `+lock+`(hashtextextended('gmc.blobs:' || $1::text, 0))`, key)
	return interpretError(err)
}
