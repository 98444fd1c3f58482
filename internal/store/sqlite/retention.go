package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// RecordingsCreatedBefore lists recordings older than t, oldest first.
func (db *DB) RecordingsCreatedBefore(ctx context.Context, t time.Time, limit int) ([]*gmc.Recording, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+recordingColumns+` FROM recordings
		WHERE created_at < ? ORDER BY created_at, id LIMIT ?`, micros(t), limit)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, scanRecording)
}

// DeleteSegmentsBefore deletes a batch of transcript segments older than
// t; their keyword hits go by the foreign key's cascade.
func (db *DB) DeleteSegmentsBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	return db.deleteBatch(ctx, `DELETE FROM transcript_segments WHERE id IN
		(SELECT id FROM transcript_segments WHERE created_at < ? ORDER BY created_at LIMIT ?)`, micros(t), limit)
}

// DeleteEventsBefore deletes a batch of audit events older than t.
func (db *DB) DeleteEventsBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	return db.deleteBatch(ctx, `DELETE FROM events WHERE id IN
		(SELECT id FROM events WHERE at < ? ORDER BY at LIMIT ?)`, micros(t), limit)
}

func (db *DB) deleteBatch(ctx context.Context, query string, args ...any) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return interpretError(err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
