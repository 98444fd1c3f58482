package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/store"
)

var (
	_ store.SearchBaseline  = (*DB)(nil)
	_ store.TrigramBaseline = (*DB)(nil)
)

// PrepareBaseline creates the tables of `gmc bench search`'s baselines:
// bench_sets names each data set's campaign, bench_entities keeps its
// entities' refs in order, bench_names holds every name, indexed for
// pg_trgm as search_docs is.
func (db *DB) PrepareBaseline(ctx context.Context) error {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS bench_sets (label TEXT PRIMARY KEY, campaign_id TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS bench_entities (label TEXT NOT NULL, idx INTEGER NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (label, idx))`,
		`CREATE TABLE IF NOT EXISTS bench_names (scope TEXT NOT NULL, ref TEXT NOT NULL, form TEXT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS bench_names_scope ON bench_names(scope)`,
		`CREATE INDEX IF NOT EXISTS bench_names_trgm ON bench_names USING gin (form public.gin_trgm_ops)`,
	} {
		if _, err := db.pool.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// SaveBaselineSet stores the set in one transaction, the many rows by COPY.
func (db *DB) SaveBaselineSet(ctx context.Context, set store.BaselineSet) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO bench_sets (label, campaign_id) VALUES ($1, $2)`, set.Label, set.CampaignID); err != nil {
			return err
		}
		var entities, names [][]any
		for i, e := range set.Entities {
			entities = append(entities, []any{set.Label, i, e.Ref})
			for _, form := range e.Names {
				names = append(names, []any{set.CampaignID, e.Ref, form})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_entities"}, []string{"label", "idx", "ref"}, pgx.CopyFromRows(entities)); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_names"}, []string{"scope", "ref", "form"}, pgx.CopyFromRows(names))
		return err
	})
}

// BaselineSet reads the set saved under label.
func (db *DB) BaselineSet(ctx context.Context, label string) (string, []string, error) {
	var campaignID string
	if err := db.pool.QueryRow(ctx, `SELECT campaign_id FROM bench_sets WHERE label = $1`, label).Scan(&campaignID); err != nil {
		return "", nil, interpretError(err)
	}
	refs, err := db.baselineRefs(ctx, `SELECT ref FROM bench_entities WHERE label = $1 ORDER BY idx`, label)
	return campaignID, refs, err
}

// BaselineContains is the ILIKE '%q%' baseline.
func (db *DB) BaselineContains(ctx context.Context, campaignID, q string, limit int) ([]string, error) {
	refs, err := db.baselineRefs(ctx, `SELECT ref FROM bench_names WHERE scope = $1 AND form ILIKE $2
		ORDER BY length(form), form LIMIT $3`, campaignID, likeContains(q), limit)
	return distinct(refs), err
}

// BaselineSimilar is the pg_trgm baseline: the % operator, which the GIN
// index serves, filters by the default threshold; similarity() ranks.
func (db *DB) BaselineSimilar(ctx context.Context, campaignID, q string, limit int) ([]string, error) {
	refs, err := db.baselineRefs(ctx, `SELECT ref FROM bench_names WHERE scope = $1 AND form OPERATOR(public.%) $2
		ORDER BY public.similarity(form, $2) DESC, form LIMIT $3`, campaignID, q, limit)
	return distinct(refs), err
}

// RefreshStatistics vacuums and analyses the search index and the
// baseline's names.
func (db *DB) RefreshStatistics(ctx context.Context) error {
	_, err := db.pool.Exec(ctx, `VACUUM ANALYZE search_docs, search_keys, bench_names`)
	return err
}

func (db *DB) baselineRefs(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// likeContains escapes q for LIKE (whose default escape is \) and wraps it
// in %.
func likeContains(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// distinct keeps the first of each ref, in order.
func distinct(refs []string) []string {
	seen := make(map[string]bool, len(refs))
	out := refs[:0]
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}
