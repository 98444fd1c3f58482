package store

import "context"

// Transactor runs several store calls as one unit of work.
type Transactor interface {
	// InTx runs fn in one database transaction and commits it when fn
	// returns nil. Every method of tx, reads included, runs inside that
	// transaction and sees its uncommitted writes; tx must not be used
	// after fn returns.
	//
	// An error returned by fn, a panic in fn (re-raised after the rollback)
	// or the end of ctx rolls back every write made through tx: entity
	// rows, audit events and search documents alike. fn runs once and is
	// never retried, so it may have effects outside the store only when
	// they can be undone; anything that must follow the commit (telling
	// live sessions of a change, say) belongs after InTx returns nil. The
	// values methods update in place (versions) describe the transaction
	// and are stale once it rolls back.
	//
	// An exported write method called on tx joins the transaction, but its
	// writes stay all-or-nothing: when it fails it undoes its own writes
	// (a savepoint) and the caller decides whether fn fails too. InTx
	// called on tx joins the outer transaction in the same way: its writes
	// commit or roll back with the outer one, and an error it returns
	// undoes only the writes its fn made.
	//
	// On PostgreSQL a failed statement aborts the whole transaction, so
	// after a read on tx fails with anything but a plain not-found, fn
	// should return that error. Locks are taken in the order the postgres
	// package documents (a campaign row before its member, invite and
	// entity rows); fn keeps to it by calling, within one campaign, the
	// method that locks the campaign first.
	InTx(ctx context.Context, fn func(tx Store) error) error
}

// DriverTxer is implemented by both backends' stores. On a Store bound to
// InTx, DriverTx returns the driver's open transaction (*sql.Tx for
// sqlite, pgx.Tx for postgres), so that a package writing other tables of
// the same database (the job queue) joins the unit of work; a job
// enqueued through it exists only if the transaction commits. Outside
// InTx it returns nil. Nothing but such a package should use it: writes
// of the store's own tables go through the store's methods.
type DriverTxer interface {
	DriverTx() any
}
