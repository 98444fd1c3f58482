package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/store/storetest"
)

// BenchmarkNearestEmbeddings is the Go similarity path at 10k and 100k
// vectors of 768 dimensions.
func BenchmarkNearestEmbeddings(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ctx := context.Background()
			db, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			storetest.BenchNearest(b, db, db.SetEmbeddingCache, n, 768, func(campaignID, model string, n, dims int) {
				tx, err := db.Writer().BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				defer tx.Rollback()
				for i := range n {
					id := fmt.Sprintf("c%07d", i)
					var doc int64
					if err := tx.QueryRowContext(ctx, `INSERT INTO search_docs (campaign_id, scope, entity_type, entity_id, name, gm_only)
						VALUES (?, ?, 'character', ?, ?, 0) RETURNING doc_id`, campaignID, campaignID, id, id).Scan(&doc); err != nil {
						b.Fatal(err)
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO embeddings (campaign_id, owner_type, owner_id, doc_id, source, stale, model, dims, vector, updated_at)
						VALUES (?, 'character', ?, ?, '', 0, ?, ?, ?, 0)`, campaignID, id, doc, model, dims, storetest.BenchVector(i, dims)); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
