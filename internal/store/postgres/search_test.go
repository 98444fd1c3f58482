package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/testenv"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// TestDoubleMetaphoneMatchesFuzzystrmatch checks that the phonetic keys
// gmc computes in Go (for both backends) are those PostgreSQL's
// fuzzystrmatch computes, when the extension is installed.
func TestDoubleMetaphoneMatchesFuzzystrmatch(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var installed bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'fuzzystrmatch')`).Scan(&installed); err != nil {
		t.Fatal(err)
	}
	if !installed {
		t.Skip("fuzzystrmatch is not installed (the migration installs it where it can)")
	}
	for _, name := range []string{"Thalindra", "Xylandra", "Zylandra", "Phaedra", "Fedra", "Caer", "Kair", "Dathyl", "Gorrick",
		"Stonebeard", "Seraphine", "Khaldrun", "Vethrax", "Schmidt", "Aubrey", "Tumblewick", "Ashgrove", "Cassius"} {
		var p, a string
		if err := conn.QueryRow(ctx, `SELECT public.dmetaphone($1), public.dmetaphone_alt($1)`, name).Scan(&p, &a); err != nil {
			t.Fatal(err)
		}
		if gp, ga := textmatch.DoubleMetaphone(name); gp != p || ga != a {
			t.Errorf("DoubleMetaphone(%q) = %q, %q; dmetaphone = %q, %q", name, gp, ga, p, a)
		}
	}
}
