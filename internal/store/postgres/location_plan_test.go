package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/testenv"
)

// TestLocationPlansUseIndexes checks that the tree reads can use their
// indexes: with sequential scans priced out, a subtree must be an index
// range on (campaign_id, path) — which needs the column's "C" collation —
// one level a lookup of the parent or roots index, and the move's UPDATE
// the same range.
func TestLocationPlansUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, testenv.PostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const c = `'01a00000-0000-7000-8000-000000000000'`
	const subtree = `SELECT id FROM locations l WHERE l.campaign_id = ` + c + ` AND l.path > '/a/' AND l.path < '/a0'`
	for _, tc := range []struct{ query, want string }{
		{subtree + ` ORDER BY l.path LIMIT 51`, "Index Scan using locations_path on locations l"},
		{subtree + ` AND NOT ` + hiddenAbove + ` ORDER BY l.path LIMIT 51`, "using locations_hidden on locations h"},
		{`SELECT id FROM locations l WHERE l.campaign_id = ` + c + ` AND l.parent_id = ` + c + ` ORDER BY l.path`, "Index Scan using locations_parent"},
		{`SELECT id FROM locations l WHERE l.campaign_id = ` + c + ` AND l.parent_id IS NULL ORDER BY l.path`, "Index Scan using locations_roots"},
		{`UPDATE locations SET path = '/b/' || substr(path, 4) WHERE campaign_id = ` + c + ` AND path >= '/a/' AND path < '/a0'`, "Index Scan using locations_path"},
	} {
		plan := explain(t, db, tc.query)
		if !strings.Contains(plan, tc.want) || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Sort") {
			t.Errorf("plan of %s:\n%s\nwant %s, no sequential scan and no sort", tc.query, plan, tc.want)
		}
	}
}

func explain(t *testing.T, db *DB, query string) string {
	t.Helper()
	ctx := context.Background()
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// An empty table is cheapest to scan; pricing scans out shows whether
	// an index can serve the query at all.
	if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, `EXPLAIN `+query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	return strings.Join(plan, "\n")
}
