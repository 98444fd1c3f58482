package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/testenv"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// TestDoubleMetaphoneMatchesFuzzystrmatch checks that the phonetic keys
// gmc computes in Go (for both backends) are those PostgreSQL's
// fuzzystrmatch computes. The migration installs the extension where the
// server has it (postgresql-contrib); a server without it skips the test,
// or fails it under CI=true, like every missing piece of a test database.
func TestDoubleMetaphoneMatchesFuzzystrmatch(t *testing.T) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, testenv.PostgresSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate = %v", err)
	}
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
		testenv.Missing(t, "the PostgreSQL extension fuzzystrmatch (the migration installs it where the server has it: install postgresql-contrib)")
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
