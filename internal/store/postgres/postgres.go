// Package postgres is the server store backend: PostgreSQL through pgx/v5's
// native connection pool. It behaves exactly like package sqlite (the
// storetest suite proves it); only the dialect and the way concurrent
// writers are kept apart differ.
//
// SQLite has one writer at a time, so its read-check-write sequences are
// safe by construction. PostgreSQL runs writers concurrently at READ
// COMMITTED, so every such sequence here takes row locks, always in the
// same order to stay free of deadlocks: a campaign row before its member
// and invite rows, and (in DeleteUser) a user's tokens and user row before
// their campaigns. A unit of work (InTx) holds every lock its methods take
// until it commits, so it keeps the same order across them: within a
// campaign, the method that locks the campaign row goes first.
//
// Ids are uuid columns read and written as Go strings; an id that is not a
// uuid is simply not found, as it would be in SQLite. The one visible
// difference: a page cursor that is not a uuid is ErrInvalid (code
// "invalid_cursor"), where SQLite compares it as text and returns some page.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/embedcache"
	"github.com/gmc-project/gmc/internal/store/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is the PostgreSQL store. It implements store.Store.
//
// Inside InTx the DB is a copy bound to the open transaction: q is that
// transaction, so reads see its uncommitted writes.
type DB struct {
	pool *pgxpool.Pool
	// search is a second pool to the same database for search's one
	// statement (gatherQuery): its connections plan with cached generic
	// plans and without JIT, which suits that statement and not every
	// other one.
	search *pgxpool.Pool
	q      querier
	// open is the transaction of InTx, nil outside it.
	open *openTx
	// replica serves list and search reads when set (SetReadReplica).
	replica *replica
	// vectors keeps campaigns' embeddings between lookups.
	vectors *embedcache.Cache
}

var _ store.Store = (*DB)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// DSN; parameters such as search_path are passed to the server) and applies
// no migrations; call Migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL, password included.
		return nil, errors.New("open postgres: invalid connection URL")
	}
	cfg.ConnConfig.Tracer = queryTracer{}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	scfg := cfg.Copy()
	scfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	scfg.ConnConfig.RuntimeParams["jit"] = "off"
	search, err := pgxpool.NewWithConfig(ctx, scfg) // connects on first use
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &DB{pool: pool, search: search, q: pool, vectors: embedcache.New(embedcache.DefaultBudget)}, nil
}

// SetEmbeddingCache bounds the memory that keeps campaigns' embeddings
// between similarity lookups to maxBytes (0: none kept). Call it before
// serving.
func (db *DB) SetEmbeddingCache(maxBytes int64) { db.vectors = embedcache.New(maxBytes) }

// Backend names this implementation.
func (db *DB) Backend() string { return "postgres" }

// Pool is the connection pool, for River (package jobs), whose queue
// tables live beside ours (the pool's search_path decides where).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// SearchPool is the pool of search's statement, for the metrics of the
// connection pools.
func (db *DB) SearchPool() *pgxpool.Pool { return db.search }

// Ping checks that the server answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.pool.Ping(ctx)
}

// Close closes the connection pool.
func (db *DB) Close() error {
	if db.open != nil {
		return nil // the DB InTx was called on owns the pool
	}
	if db.replica != nil {
		db.replica.close()
	}
	db.search.Close()
	db.pool.Close()
	return nil
}

func migrationsFS() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sub
}

// Migrate applies the embedded migrations.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	if db.open != nil {
		return 0, errMigrateInTx
	}
	// goose speaks database/sql; this *sql.DB borrows the pool's connections
	// (and so their search_path) and closing it leaves the pool open.
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	return migration.Up(ctx, goose.DialectPostgres, sqlDB, migrationsFS())
}

// MigrateTo applies the embedded migrations up to version.
func (db *DB) MigrateTo(ctx context.Context, version int64) (int, error) {
	if db.open != nil {
		return 0, errMigrateInTx
	}
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	return migration.UpTo(ctx, goose.DialectPostgres, sqlDB, migrationsFS(), version)
}

// MigrationStatus lists the embedded migrations and their state.
func (db *DB) MigrationStatus(ctx context.Context) ([]migration.Status, error) {
	if db.open != nil {
		return nil, errMigrateInTx
	}
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	return migration.List(ctx, goose.DialectPostgres, sqlDB, migrationsFS())
}

// errMigrateInTx refuses migrations on a Store bound to a transaction:
// goose runs its own transactions on the pool.
var errMigrateInTx = errors.New("postgres: migrations cannot run inside InTx")

// tx runs fn in a transaction and commits when it returns nil. Inside InTx
// it joins the open transaction through a savepoint, so that the method
// calling it still writes all or nothing.
func (db *DB) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	store.NoteWrite(ctx)
	if db.open != nil {
		return db.savepoint(ctx, fn)
	}
	return interpretError(pgx.BeginFunc(ctx, db.pool, fn))
}

// batch runs b's statements all or nothing in one round trip. Outside
// InTx they are one implicit transaction: pgx sends a batch with a single
// Sync, and PostgreSQL rolls back everything before it when one statement
// fails and skips the rest. Inside InTx they run in a savepoint of the
// open transaction.
func (db *DB) batch(ctx context.Context, b *pgx.Batch) error {
	store.NoteWrite(ctx)
	if db.open != nil {
		return db.savepoint(ctx, func(tx pgx.Tx) error { return interpretError(tx.SendBatch(ctx, b).Close()) })
	}
	return interpretError(db.pool.SendBatch(ctx, b).Close())
}

// querier is what both the pool and a transaction offer; read helpers take
// it so they run inside a write transaction or on the pool alike.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// PostgreSQL error codes interpretError understands.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeInvalidText         = "22P02"
)

// interpretError turns driver errors into the domain's sentinels.
func interpretError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return gmc.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeUniqueViolation:
			return fmt.Errorf("%w: duplicate %s", gmc.ErrConflict, pe.ConstraintName)
		case codeForeignKeyViolation:
			return fmt.Errorf("%w: referenced row does not exist", gmc.ErrNotFound)
		case codeInvalidText:
			// Ids are sent as text for the server to parse; one that is not
			// a uuid names no row, as in SQLite. The code is shared with
			// every other type (bad JSON, say, which is a bug and stays one);
			// the type name in the message is not translated.
			if strings.Contains(pe.Message, "uuid") {
				return fmt.Errorf("%w: malformed id", gmc.ErrNotFound)
			}
		}
	}
	return err
}

// mustAffect turns a write that touched no row into ErrNotFound.
func mustAffect(tag pgconn.CommandTag) error {
	if tag.RowsAffected() == 0 {
		return gmc.ErrNotFound
	}
	return nil
}

// checkVersioned turns an UPDATE … WHERE version = $n that touched no row
// into ErrNotFound or a stale-version ErrConflict.
func checkVersioned(ctx context.Context, q querier, tag pgconn.CommandTag, table, id string) error {
	if tag.RowsAffected() > 0 {
		return nil
	}
	var current int64
	if err := q.QueryRow(ctx, `SELECT version FROM `+table+` WHERE id = $1`, id).Scan(&current); err != nil {
		return interpretError(err)
	}
	return gmc.StaleVersion(current)
}

// isUUID is gmc.IsID: list filters use it where SQLite, comparing text,
// would match nothing, so that both backends return an empty list rather
// than PostgreSQL failing to parse the value.
func isUUID(s string) bool { return gmc.IsID(s) }

// checkCursor rejects a page cursor that no list of ours handed out.
// SQLite would compare it as text and return some page; here it cannot be
// compared with a uuid at all, and a client error beats an arbitrary page.
func checkCursor(cursor string) error {
	if cursor != "" && !isUUID(cursor) {
		return gmc.Errorf(gmc.ErrInvalid, "invalid_cursor", "the page cursor is not valid")
	}
	return nil
}
