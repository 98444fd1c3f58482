package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/gmc-project/gmc/internal/store"
)

var _ store.SearchBaseline = (*DB)(nil)

// PrepareBaseline creates the tables of `gmc bench search`'s baseline:
// bench_sets names each data set's campaign, bench_entities keeps its
// entities' refs in order, bench_names holds every name for the baseline.
func (db *DB) PrepareBaseline(ctx context.Context) error {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS bench_sets (label TEXT PRIMARY KEY, campaign_id TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS bench_entities (label TEXT NOT NULL, idx INTEGER NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (label, idx))`,
		`CREATE TABLE IF NOT EXISTS bench_names (scope TEXT NOT NULL, ref TEXT NOT NULL, form TEXT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS bench_names_scope ON bench_names(scope)`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// SaveBaselineSet stores the set with one prepared statement per table in
// one transaction, which is how SQLite loads many rows fast.
func (db *DB) SaveBaselineSet(ctx context.Context, set store.BaselineSet) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO bench_sets (label, campaign_id) VALUES (?, ?)`, set.Label, set.CampaignID); err != nil {
			return interpretError(err)
		}
		entity, err := tx.PrepareContext(ctx, `INSERT INTO bench_entities (label, idx, ref) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer entity.Close()
		name, err := tx.PrepareContext(ctx, `INSERT INTO bench_names (scope, ref, form) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer name.Close()
		for i, e := range set.Entities {
			if _, err := entity.ExecContext(ctx, set.Label, i, e.Ref); err != nil {
				return err
			}
			for _, form := range e.Names {
				if _, err := name.ExecContext(ctx, set.CampaignID, e.Ref, form); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// BaselineSet reads the set saved under label.
func (db *DB) BaselineSet(ctx context.Context, label string) (string, []string, error) {
	var campaignID string
	if err := db.read.QueryRowContext(ctx, `SELECT campaign_id FROM bench_sets WHERE label = ?`, label).Scan(&campaignID); err != nil {
		return "", nil, interpretError(err)
	}
	refs, err := db.baselineRefs(ctx, `SELECT ref FROM bench_entities WHERE label = ? ORDER BY idx`, label)
	return campaignID, refs, err
}

// BaselineContains is the substring baseline. SQLite's LIKE ignores ASCII
// case, as ILIKE does.
func (db *DB) BaselineContains(ctx context.Context, campaignID, q string, limit int) ([]string, error) {
	refs, err := db.baselineRefs(ctx, `SELECT ref FROM bench_names WHERE scope = ? AND form LIKE ? ESCAPE '\'
		ORDER BY length(form), form LIMIT ?`, campaignID, likeContains(q), limit)
	return distinct(refs), err
}

// RefreshStatistics runs ANALYZE.
func (db *DB) RefreshStatistics(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `ANALYZE`)
	return err
}

func (db *DB) baselineRefs(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var refs []string
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	return refs, rows.Err()
}

// likeContains escapes q for LIKE … ESCAPE '\' and wraps it in %.
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
