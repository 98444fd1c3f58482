package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocationPlansUseIndexes checks the query plans of the tree reads: a
// subtree is a range of the (campaign_id, path) index, one level a lookup
// of the parent or roots index, and the hidden-ancestor check a search of
// the GM-only index — never a scan of the table.
func TestLocationPlansUseIndexes(t *testing.T) {
	t.Parallel()
	db, err := Open(filepath.Join(t.TempDir(), "gmc.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	const subtree = `SELECT id FROM locations l WHERE l.campaign_id = 'c' AND l.path > '/a/' AND l.path < '/a0'`
	for _, tc := range []struct{ query, want string }{
		{subtree + ` ORDER BY l.path LIMIT 51`, "SEARCH l USING INDEX locations_path (campaign_id=? AND path>? AND path<?)"},
		{subtree + ` AND NOT ` + hiddenAbove + ` ORDER BY l.path LIMIT 51`, "SEARCH h USING COVERING INDEX locations_hidden"},
		{`SELECT id FROM locations l WHERE l.campaign_id = 'c' AND l.parent_id = 'p' ORDER BY l.path`, "SEARCH l USING INDEX locations_parent (parent_id=?)"},
		{`SELECT id FROM locations l WHERE l.campaign_id = 'c' AND l.parent_id IS NULL ORDER BY l.path`, "SEARCH l USING INDEX locations_roots (campaign_id=?)"},
		{`UPDATE locations SET path = '/b/' || substr(path, 4) WHERE campaign_id = 'c' AND path >= '/a/' AND path < '/a0'`, "SEARCH locations USING INDEX locations_path"},
	} {
		plan := explain(t, db, tc.query)
		if !strings.Contains(plan, tc.want) || strings.Contains(plan, "SCAN") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("plan of %s:\n%s\nwant %s, no scan and no sort", tc.query, plan, tc.want)
		}
	}
}

func explain(t *testing.T, db *DB, query string) string {
	t.Helper()
	rows, err := db.readPool.Query(`EXPLAIN QUERY PLAN ` + query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "\n")
}
