package sqlite

import (
	"context"
	"database/sql"
)

// ReadPoolStats exposes the read pool's counters to the tests.
func (db *DB) ReadPoolStats() sql.DBStats { return db.readPool.Stats() }

// PreparedCount is how many read statements are kept prepared.
func (db *DB) PreparedCount() int {
	db.prepared.mu.RLock()
	defer db.prepared.mu.RUnlock()
	return len(db.prepared.stmts)
}

// ReadQuery runs a query through the read path the store's methods use.
func (db *DB) ReadQuery(ctx context.Context, q string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, q, args...)
}

// WriteExec runs a statement on the single writer.
func (db *DB) WriteExec(ctx context.Context, q string, args ...any) error {
	_, err := db.write.ExecContext(ctx, q, args...)
	return err
}

// MaxPrepared is the bound on kept statements.
const MaxPrepared = maxPrepared
