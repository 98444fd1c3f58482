package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/storetest"
	"github.com/gmc-project/gmc/internal/testenv"
)

// BenchmarkNearestEmbeddings is the Go similarity path at 10k and 100k
// vectors of 768 dimensions.
func BenchmarkNearestEmbeddings(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ctx := context.Background()
			db, err := postgres.Open(ctx, testenv.PostgresSchema(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			storetest.BenchNearest(b, db, db.SetEmbeddingCache, n, 768, func(campaignID, model string, n, dims int) {
				pool := db.Pool()
				if _, err := pool.Exec(ctx, `INSERT INTO search_docs (campaign_id, scope, entity_type, entity_id, name, gm_only, body_tsv, gm_tsv)
					SELECT $1::uuid, $1::text, 'character', 'c' || lpad(i::text, 7, '0'), 'x', false, ''::tsvector, ''::tsvector FROM generate_series(0, $2::int - 1) i`,
					campaignID, n); err != nil {
					b.Fatal(err)
				}
				rows, err := pool.Query(ctx, `SELECT doc_id, entity_id FROM search_docs WHERE campaign_id = $1 ORDER BY entity_id`, campaignID)
				if err != nil {
					b.Fatal(err)
				}
				type owner struct {
					doc int64
					id  string
				}
				owners := make([]owner, 0, n)
				for rows.Next() {
					var o owner
					if err := rows.Scan(&o.doc, &o.id); err != nil {
						b.Fatal(err)
					}
					owners = append(owners, o)
				}
				if rows.Err() != nil {
					b.Fatal(rows.Err())
				}
				at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				next := 0
				// Streamed: 100k vectors are 300 MB, too much to hold at once.
				if _, err := pool.CopyFrom(ctx, pgx.Identifier{"embeddings"}, []string{"campaign_id", "owner_type", "owner_id", "doc_id", "source", "stale", "model", "dims", "vector", "updated_at"},
					pgx.CopyFromFunc(func() ([]any, error) {
						if next == len(owners) {
							return nil, nil
						}
						o := owners[next]
						next++
						return []any{campaignID, "character", o.id, o.doc, "", false, model, dims, storetest.BenchVector(next-1, dims), at}, nil
					})); err != nil {
					b.Fatal(err)
				}
				if _, err := pool.Exec(ctx, `ANALYZE embeddings`); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
