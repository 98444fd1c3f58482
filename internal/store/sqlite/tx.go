package sqlite

import (
	"context"
	"database/sql"

	"github.com/gmc-project/gmc/internal/store"
)

// InTx runs fn in one write transaction (see store.Transactor).
func (db *DB) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	if db.open != nil {
		return db.savepoint(ctx, func(*sql.Tx) error { return fn(db) })
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		return fn(&DB{write: db.write, readPool: db.readPool, prepared: db.prepared, read: tx, open: tx})
	})
}

// savepoint runs fn inside the open transaction so that, when fn fails or
// panics, only its own writes are undone.
func (db *DB) savepoint(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if _, err := db.open.ExecContext(ctx, `SAVEPOINT nested`); err != nil {
		return interpretError(err)
	}
	released := false
	defer func() {
		if released {
			return
		}
		// The undo must run even when the caller's ctx is what failed;
		// should the transaction itself be gone, it committed nothing.
		undo := context.WithoutCancel(ctx)
		_, _ = db.open.ExecContext(undo, `ROLLBACK TO nested`)
		_, _ = db.open.ExecContext(undo, `RELEASE nested`)
	}()
	if err := fn(db.open); err != nil {
		return err
	}
	if _, err := db.open.ExecContext(ctx, `RELEASE nested`); err != nil {
		return interpretError(err)
	}
	released = true
	return nil
}

// DriverTx returns InTx's open *sql.Tx, nil outside InTx (see
// store.DriverTxer).
func (db *DB) DriverTx() any {
	if db.open == nil {
		return nil
	}
	return db.open
}
