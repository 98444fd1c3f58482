package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

// RecordingsCreatedBefore lists recordings older than t, oldest first.
func (db *DB) RecordingsCreatedBefore(ctx context.Context, t time.Time, limit int) ([]*gmc.Recording, error) {
	rows, err := db.q.Query(ctx, `SELECT `+recordingColumns+` FROM recordings
		WHERE created_at < $1 ORDER BY created_at, id LIMIT $2`, t, limit)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, scanRecording)
}

// DeleteSegmentsBefore deletes a batch of transcript segments older than
// t; their keyword hits go by the foreign key's cascade.
func (db *DB) DeleteSegmentsBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	return db.deleteBatch(ctx, `DELETE FROM transcript_segments WHERE id IN
		(SELECT id FROM transcript_segments WHERE created_at < $1 ORDER BY created_at LIMIT $2)`, t, limit)
}

// DeleteEventsBefore deletes a batch of audit events older than t.
func (db *DB) DeleteEventsBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	return db.deleteBatch(ctx, `DELETE FROM events WHERE id IN
		(SELECT id FROM events WHERE at < $1 ORDER BY at LIMIT $2)`, t, limit)
}

func (db *DB) deleteBatch(ctx context.Context, query string, args ...any) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query, args...)
		if err != nil {
			return interpretError(err)
		}
		n = tag.RowsAffected()
		return nil
	})
	return int(n), err
}
