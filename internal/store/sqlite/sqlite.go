// Package sqlite is the embedded store backend: a single SQLite file in the
// data directory, opened with the pure-Go modernc.org/sqlite driver so the
// binary needs no C toolchain and no server.
//
// Writes go through one connection (SQLite allows one writer at a time; a
// pool of writers only turns that into SQLITE_BUSY errors), reads through a
// small pool that WAL lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/embedcache"
	"github.com/gmc-project/gmc/internal/store/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is the SQLite store. It implements store.Store.
//
// Inside InTx the DB is a copy bound to the open write transaction: read
// is that transaction too, since the read pool neither sees its
// uncommitted writes nor may wait for it.
type DB struct {
	write    *sql.DB
	readPool *sql.DB
	prepared *preparedReads
	read     querier
	// open is the transaction of InTx, nil outside it.
	open *sql.Tx
	// vectors keeps campaigns' embeddings between lookups.
	vectors *embedcache.Cache
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and applies
// no migrations; call Migrate.
func Open(path string) (*DB, error) {
	// WAL lets readers run while the writer commits; busy_timeout makes a
	// reader wait for a checkpoint instead of failing; foreign keys are off
	// by default in SQLite and our ON DELETE CASCADE relies on them;
	// synchronous=NORMAL is durable in WAL mode except on power loss of the
	// last commits, the usual trade for an embedded server; mmap lets reads
	// of the search index skip a copy through SQLite's page cache.
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(ON)", "synchronous(NORMAL)", "mmap_size(268435456)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + q.Encode()
	// _txlock=immediate takes the write lock at BEGIN, so two transactions
	// never both read and then fail to upgrade to writing.
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	// query_only guards the read pool against an accidental write that
	// would bypass the single writer.
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// database/sql keeps only 2 idle connections unless told otherwise:
	// under load the other reads closed their connection on release and
	// the next ones opened a new one (pragmas, schema parse) — the pool
	// churned, and more clients were faster because their waiting kept
	// connections handed over instead of closed. All stay open.
	readConns := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(readConns)
	read.SetMaxIdleConns(readConns)
	read.SetConnMaxIdleTime(0)
	prepared := newPreparedReads(read)
	db := &DB{write: write, readPool: read, prepared: prepared, read: prepared, vectors: embedcache.New(embedcache.DefaultBudget)}
	if err := write.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// SetEmbeddingCache bounds the memory that keeps campaigns' embeddings
// between similarity lookups to maxBytes (0: none kept). Call it before
// serving.
func (db *DB) SetEmbeddingCache(maxBytes int64) { db.vectors = embedcache.New(maxBytes) }

// Backend names this implementation.
func (db *DB) Backend() string { return "sqlite" }

// Writer is the single write connection, for River (package jobs): its
// queue tables live in the same file and must share the one writer, or
// its writes and ours would meet as SQLITE_BUSY.
func (db *DB) Writer() *sql.DB { return db.write }

// PoolStats are the read pool's and the single writer's statistics, for
// the metrics of the connection pools.
func (db *DB) PoolStats() (read, write sql.DBStats) {
	return db.readPool.Stats(), db.write.Stats()
}

// Ping checks that the file can be read.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Close closes both connection pools.
func (db *DB) Close() error {
	if db.open != nil {
		return nil // the DB InTx was called on owns the pools
	}
	return errors.Join(db.prepared.Close(), db.readPool.Close(), db.write.Close())
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
	return migration.Up(ctx, goose.DialectSQLite3, db.write, migrationsFS())
}

// MigrateTo applies the embedded migrations up to version.
func (db *DB) MigrateTo(ctx context.Context, version int64) (int, error) {
	if db.open != nil {
		return 0, errMigrateInTx
	}
	return migration.UpTo(ctx, goose.DialectSQLite3, db.write, migrationsFS(), version)
}

// MigrationStatus lists the embedded migrations and their state.
func (db *DB) MigrationStatus(ctx context.Context) ([]migration.Status, error) {
	if db.open != nil {
		return nil, errMigrateInTx
	}
	return migration.List(ctx, goose.DialectSQLite3, db.write, migrationsFS())
}

// errMigrateInTx refuses migrations on a Store bound to a transaction:
// goose needs the connection the transaction holds.
var errMigrateInTx = errors.New("sqlite: migrations cannot run inside InTx")

// tx runs fn in a write transaction and commits when it returns nil.
// Inside InTx it joins the open transaction through a savepoint, so that
// the method calling it still writes all or nothing.
func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.open != nil {
		return db.savepoint(ctx, fn)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return interpretError(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return interpretError(err)
	}
	return interpretError(tx.Commit())
}

// interpretError turns driver errors into the domain's sentinels.
func interpretError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return gmc.ErrNotFound
	}
	var se *sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3lib.SQLITE_CONSTRAINT_UNIQUE, sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %s", gmc.ErrConflict, uniqueColumn(se.Error()))
		case sqlite3lib.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: referenced row does not exist", gmc.ErrNotFound)
		}
		// The primary code is the low byte; SQLite rolls the statement
		// (and with it the transaction) back, so nothing was written.
		if se.Code()&0xff == sqlite3lib.SQLITE_FULL {
			return fmt.Errorf("%w: the database file cannot grow (%v)", gmc.ErrStorageFull, err)
		}
	}
	return err
}

// uniqueColumn pulls "table.column" out of SQLite's unique-constraint message.
func uniqueColumn(msg string) string {
	if i := strings.LastIndex(msg, "failed: "); i >= 0 {
		return "duplicate " + strings.TrimSuffix(msg[i+len("failed: "):], ")")
	}
	return "duplicate value"
}

// querier is what both *sql.DB and *sql.Tx offer; read helpers take it so
// they run inside a write transaction or on the read pool alike.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// micros stores times as Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}
