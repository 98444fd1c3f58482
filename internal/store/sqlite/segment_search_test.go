package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/store/storetest"
)

func TestSegmentIndexMigration(t *testing.T) {
	t.Parallel()
	storetest.RunSegmentIndexMigration(t, func(t *testing.T) store.Store {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "gmc.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}, func(t *testing.T, s store.Store, q string, args ...any) {
		for i, a := range args {
			if tm, ok := a.(time.Time); ok {
				args[i] = tm.UnixMicro()
			}
		}
		if _, err := s.(*sqlite.DB).Writer().ExecContext(context.Background(), q, args...); err != nil {
			t.Fatalf("%s = %v", q, err)
		}
	})
}
