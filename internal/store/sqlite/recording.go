package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

const recordingColumns = `id, campaign_id, session_id, blob_key, file_name, content_type, size_bytes, duration_ms, tracks, status,
	created_by, created_at, delete_after`

func scanRecording(row interface{ Scan(...any) error }) (*gmc.Recording, error) {
	var r gmc.Recording
	var created int64
	var deleteAfter sql.NullInt64
	if err := row.Scan(&r.ID, &r.CampaignID, &r.SessionID, &r.BlobKey, &r.FileName, &r.ContentType, &r.SizeBytes, &r.DurationMS,
		&r.Tracks, &r.Status, &r.CreatedBy, &created, &deleteAfter); err != nil {
		return nil, interpretError(err)
	}
	r.CreatedAt, r.DeleteAfter = fromMicros(created), fromNullMicros(deleteAfter)
	return &r, nil
}

// CreateRecording inserts r.
func (db *DB) CreateRecording(ctx context.Context, r *gmc.Recording, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		// The session must belong to the campaign; the foreign keys alone
		// would let a row name a session of another campaign.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM game_sessions WHERE id = ? AND campaign_id = ?`, r.SessionID, r.CampaignID).Scan(&n); err != nil {
			return interpretError(err)
		}
		if n == 0 {
			return gmc.ErrNotFound
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO recordings (`+recordingColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.CampaignID, r.SessionID, r.BlobKey, r.FileName, r.ContentType, r.SizeBytes, r.DurationMS, r.Tracks, r.Status,
			r.CreatedBy, micros(r.CreatedAt), nullMicros(r.DeleteAfter))
		if err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Recording returns the recording with id.
func (db *DB) Recording(ctx context.Context, id string) (*gmc.Recording, error) {
	return scanRecording(db.read.QueryRowContext(ctx, `SELECT `+recordingColumns+` FROM recordings WHERE id = ?`, id))
}

// Recordings lists a session's recordings in id order.
func (db *DB) Recordings(ctx context.Context, sessionID string) ([]*gmc.Recording, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+recordingColumns+` FROM recordings WHERE session_id = ? ORDER BY id`, sessionID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, scanRecording)
}

// DeleteRecording removes the recording with id.
func (db *DB) DeleteRecording(ctx context.Context, id string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM recordings WHERE id = ?`, id)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(res); err != nil {
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
	rows, err := db.read.QueryContext(ctx, `SELECT `+recordingColumns+` FROM recordings
		WHERE delete_after IS NOT NULL AND delete_after <= ? ORDER BY delete_after, id LIMIT ?`, micros(now), limit)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, scanRecording)
}

// SetRecordingStatus changes a recording's status.
func (db *DB) SetRecordingStatus(ctx context.Context, id, status string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE recordings SET status = ? WHERE id = ?`, status, id)
		if err != nil {
			return interpretError(err)
		}
		return mustAffect(res)
	})
}

// OrphanedBlobs lists blob keys of deleted recordings.
func (db *DB) OrphanedBlobs(ctx context.Context, limit int) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT blob_key FROM orphaned_blobs ORDER BY blob_key LIMIT ?`, limit)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var key string
		return key, interpretError(row.Scan(&key))
	})
}

// ForgetOrphanedBlob drops a key whose blob is deleted.
func (db *DB) ForgetOrphanedBlob(ctx context.Context, key string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM orphaned_blobs WHERE blob_key = ?`, key)
		return interpretError(err)
	})
}

// AddOrphanedBlob records a blob that may have no row yet.
func (db *DB) AddOrphanedBlob(ctx context.Context, key string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO orphaned_blobs (blob_key) VALUES (?)`, key)
		return interpretError(err)
	})
}

// BlobReferenced reports whether a file or recording row refers to key.
func (db *DB) BlobReferenced(ctx context.Context, key string) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM files WHERE blob_key = ?)
		OR EXISTS (SELECT 1 FROM recordings WHERE blob_key = ?)`, key, key).Scan(&n)
	return n != 0, interpretError(err)
}

// LockBlob: every write transaction of SQLite takes the database's write
// lock at BEGIN (_txlock=immediate), which serializes it with every
// other, so a transaction holds every blob's lock already.
func (db *DB) LockBlob(ctx context.Context, key string, exclusive bool) error {
	if db.open == nil {
		return errors.New("sqlite: LockBlob outside a transaction")
	}
	return nil
}
