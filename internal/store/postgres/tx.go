package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/store"
)

// openTx is the transaction of one InTx call, shared by the Store it hands
// out and every InTx nested in it.
type openTx struct {
	tx pgx.Tx
	// afterCommit runs once the transaction has committed.
	afterCommit []func(context.Context)
}

// InTx runs fn in one transaction (see store.Transactor).
func (db *DB) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	if db.open != nil {
		return db.savepoint(ctx, func(pgx.Tx) error { return fn(db) })
	}
	open := &openTx{}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		open.tx = tx
		return fn(&DB{pool: db.pool, search: db.search, q: tx, open: open})
	})
	if err != nil {
		return err
	}
	for _, run := range open.afterCommit {
		run(ctx)
	}
	return nil
}

// savepoint runs fn inside the open transaction so that, when fn fails or
// panics, only its own writes are undone; without it a failed statement
// would also leave the whole transaction aborted.
func (db *DB) savepoint(ctx context.Context, fn func(tx pgx.Tx) error) error {
	sp, err := db.open.tx.Begin(ctx)
	if err != nil {
		return interpretError(err)
	}
	// The undo must run even when the caller's ctx is what failed; after
	// Commit it does nothing.
	defer sp.Rollback(context.WithoutCancel(ctx))
	if err := fn(sp); err != nil {
		return interpretError(err)
	}
	return interpretError(sp.Commit(ctx))
}

// readOnly runs fn in a read-only transaction, or inside InTx in a
// savepoint that is then rolled back, so that what fn sets for its own
// transaction (SET LOCAL, set_config) ends with it either way.
func (db *DB) readOnly(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if db.open == nil {
		return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, fn)
	}
	sp, err := db.open.tx.Begin(ctx)
	if err != nil {
		return err
	}
	defer sp.Rollback(context.WithoutCancel(ctx))
	return fn(sp)
}

// DriverTx returns InTx's open pgx.Tx, nil outside InTx (see
// store.DriverTxer).
func (db *DB) DriverTx() any {
	if db.open == nil {
		return nil
	}
	return db.open.tx
}
