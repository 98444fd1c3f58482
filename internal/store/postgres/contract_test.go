package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/storetest"
	"github.com/gmc-project/gmc/internal/testenv"
)

// TestMain stops the throw-away PostgreSQL server testenv may start.
func TestMain(m *testing.M) { testenv.Main(m) }

// TestContract runs the store contract suite, each test on a fresh schema
// of the PostgreSQL server testenv provides.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		t.Helper()
		ctx := context.Background()
		db, err := postgres.Open(ctx, testenv.PostgresSchema(t))
		if err != nil {
			t.Fatalf("Open = %v", err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate = %v", err)
		}
		return db
	})
}

// TestShared runs the tests of instances sharing one database: two
// pools on one fresh schema.
func TestShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (store.Store, store.Store) {
		t.Helper()
		ctx := context.Background()
		url := testenv.PostgresSchema(t)
		open := func() *postgres.DB {
			db, err := postgres.Open(ctx, url)
			if err != nil {
				t.Fatalf("Open = %v", err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
		a := open()
		if _, err := a.Migrate(ctx); err != nil {
			t.Fatalf("Migrate = %v", err)
		}
		return a, open()
	})
}

// TestMigrations runs the data-migration checks, each on a fresh schema.
func TestMigrations(t *testing.T) {
	storetest.RunMigrations(t, func(t *testing.T) store.Store {
		t.Helper()
		db, err := postgres.Open(context.Background(), testenv.PostgresSchema(t))
		if err != nil {
			t.Fatalf("Open = %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func BenchmarkCreateCharacter(b *testing.B) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			ctx := context.Background()
			db, err := postgres.Open(ctx, testenv.PostgresSchema(b))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			storetest.BenchCreateCharacter(b, db, clients)
		})
	}
}
