package searchbench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
)

// backend is the store under test plus raw SQL access for the bookkeeping
// tables and the baselines, which live in the same database.
type backend struct {
	name string
	st   store.Store
	sql  rawDB
}

// rawDB runs the few statements the benchmark needs beside the store,
// each backend in its dialect.
type rawDB interface {
	exec(ctx context.Context, q string, args ...any) error
	strings(ctx context.Context, q string, args ...any) ([][2]string, error)
	// ilike and trigram are the baselines; trigram is nil on SQLite.
	// analyze refreshes the planner's statistics after a bulk load (and,
	// on PostgreSQL, the visibility map that index-only scans need), as
	// autovacuum would soon after on a server where it is on.
	analyze(ctx context.Context) error
	ilike(ctx context.Context, scope, q string, limit int) ([]string, error)
	trigram(ctx context.Context, scope, q string, limit int) ([]string, error)
	hasTrigram() bool
	close()
}

// openBackend opens (creating when needed) the benchmark's own database:
// for SQLite a file, for PostgreSQL a schema named after the data set so
// that a second run with the same parameters reuses the data.
func openBackend(ctx context.Context, o options) (*backend, error) {
	switch o.backend {
	case "sqlite":
		return openSQLite(ctx, o)
	case "postgres":
		return openPostgres(ctx, o)
	}
	return nil, fmt.Errorf("unknown --backend %q: sqlite or postgres", o.backend)
}

func openSQLite(ctx context.Context, o options) (*backend, error) {
	path := o.databaseURL
	if path == "" {
		path = filepath.Join(os.TempDir(), "gmc-bench-search-"+o.fingerprint()+".db")
	}
	if o.fresh {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(path + suffix)
		}
	}
	st, err := sqlite.Open(path)
	if err != nil {
		return nil, err
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		st.Close()
		return nil, err
	}
	b := &backend{name: "sqlite", st: st, sql: &sqliteDB{raw}}
	return b, b.migrate(ctx)
}

func openPostgres(ctx context.Context, o options) (*backend, error) {
	if o.databaseURL == "" {
		return nil, errors.New("--backend postgres needs --database-url")
	}
	admin, err := pgx.Connect(ctx, o.databaseURL)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	defer admin.Close(ctx)
	schema := pgx.Identifier{"gmcbench_" + o.fingerprint()}.Sanitize()
	if o.fresh {
		if _, err := admin.Exec(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			return nil, err
		}
	}
	if _, err := admin.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+schema); err != nil {
		return nil, err
	}
	u, err := url.Parse(o.databaseURL)
	if err != nil {
		return nil, errors.New("--database-url does not parse")
	}
	q := u.Query()
	q.Set("search_path", "gmcbench_"+o.fingerprint())
	u.RawQuery = q.Encode()
	st, err := postgres.Open(ctx, u.String())
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		st.Close()
		return nil, err
	}
	b := &backend{name: "postgres", st: st, sql: &pgDB{pool}}
	return b, b.migrate(ctx)
}

func (b *backend) migrate(ctx context.Context) error {
	if _, err := b.st.Migrate(ctx); err != nil {
		return err
	}
	// bench_entities maps each campaign's entity numbers to their ids;
	// bench_names holds every name and alias for the baselines.
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS bench_entities (label TEXT NOT NULL, idx INTEGER NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (label, idx))`,
		`CREATE TABLE IF NOT EXISTS bench_names (scope TEXT NOT NULL, ref TEXT NOT NULL, form TEXT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS bench_names_scope ON bench_names(scope)`,
	} {
		if err := b.sql.exec(ctx, q); err != nil {
			return err
		}
	}
	if b.sql.hasTrigram() {
		return b.sql.exec(ctx, `CREATE INDEX IF NOT EXISTS bench_names_trgm ON bench_names USING gin (form public.gin_trgm_ops)`)
	}
	return nil
}

func (b *backend) close() {
	b.sql.close()
	b.st.Close()
}

// likePattern escapes q for LIKE and wraps it in %.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

type sqliteDB struct{ db *sql.DB }

func (s *sqliteDB) exec(ctx context.Context, q string, args ...any) error {
	_, err := s.db.ExecContext(ctx, q, args...)
	return err
}

func (s *sqliteDB) strings(ctx context.Context, q string, args ...any) ([][2]string, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return nil, err
		}
		out = append(out, [2]string{a, b})
	}
	return out, rows.Err()
}

func (s *sqliteDB) ilike(ctx context.Context, scope, q string, limit int) ([]string, error) {
	// SQLite's LIKE is case-insensitive for ASCII, as ILIKE is.
	return refs(s.strings(ctx, `SELECT ref, form FROM bench_names WHERE scope = ? AND form LIKE ? ESCAPE '\'
		ORDER BY length(form), form LIMIT ?`, scope, likePattern(q), limit))
}

func (s *sqliteDB) analyze(ctx context.Context) error { return s.exec(ctx, `ANALYZE`) }

func (s *sqliteDB) trigram(context.Context, string, string, int) ([]string, error) { return nil, nil }
func (s *sqliteDB) hasTrigram() bool                                               { return false }
func (s *sqliteDB) close()                                                         { s.db.Close() }

type pgDB struct{ pool *pgxpool.Pool }

func (p *pgDB) exec(ctx context.Context, q string, args ...any) error {
	_, err := p.pool.Exec(ctx, pgPlaceholders(q), args...)
	return err
}

func (p *pgDB) strings(ctx context.Context, q string, args ...any) ([][2]string, error) {
	rows, err := p.pool.Query(ctx, pgPlaceholders(q), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var a, b string
		err := r.Scan(&a, &b)
		return [2]string{a, b}, err
	})
}

func (p *pgDB) ilike(ctx context.Context, scope, q string, limit int) ([]string, error) {
	return refs(p.strings(ctx, `SELECT ref, form FROM bench_names WHERE scope = ? AND form ILIKE ?
		ORDER BY length(form), form LIMIT ?`, scope, likePattern(q), limit))
}

// trigram is the pg_trgm baseline: the names most similar to q by
// similarity(), among those over the default threshold (the % operator,
// which the GIN index serves).
func (p *pgDB) trigram(ctx context.Context, scope, q string, limit int) ([]string, error) {
	return refs(p.strings(ctx, `SELECT ref, form FROM bench_names WHERE scope = ? AND form OPERATOR(public.%) ?
		ORDER BY public.similarity(form, ?) DESC, form LIMIT ?`, scope, q, q, limit))
}

func (p *pgDB) analyze(ctx context.Context) error {
	return p.exec(ctx, `VACUUM ANALYZE search_docs, search_keys, bench_names`)
}

func (p *pgDB) hasTrigram() bool { return true }
func (p *pgDB) close()           { p.pool.Close() }

// pgPlaceholders turns ? into $1, $2 … (no query here has a literal ?).
func pgPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// refs keeps the first column of rows, each entity once, in order.
func refs(rows [][2]string, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		if !seen[r[0]] {
			seen[r[0]] = true
			out = append(out, r[0])
		}
	}
	return out, nil
}
