package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/storetest"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestSegmentIndexMigration(t *testing.T) {
	storetest.RunSegmentIndexMigration(t, func(t *testing.T) store.Store {
		db, err := postgres.Open(context.Background(), testenv.PostgresSchema(t))
		if err != nil {
			t.Fatalf("Open = %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}, func(t *testing.T, s store.Store, q string, args ...any) {
		var b strings.Builder
		n := 0
		for _, r := range q {
			if r == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(r)
		}
		if _, err := s.(*postgres.DB).Pool().Exec(context.Background(), b.String(), args...); err != nil {
			t.Fatalf("%s = %v", q, err)
		}
	})
}
