package postgres_test

import (
	"context"
	"testing"

	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/storetest"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestBaselineContract(t *testing.T) {
	storetest.RunBaseline(t, func(t *testing.T) store.Store {
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
