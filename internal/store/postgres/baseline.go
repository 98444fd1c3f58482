package postgres

import (
	"context"
	"runtime"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

var (
	_ store.SearchBaseline  = (*DB)(nil)
	_ store.TrigramBaseline = (*DB)(nil)
)

// PrepareBaseline creates the tables of `gmc bench search`'s baselines:
// bench_sets names each data set's campaign, bench_entities keeps its
// entities' refs in order, bench_names holds every name, indexed for
// pg_trgm as search_docs is.
func (db *DB) PrepareBaseline(ctx context.Context) error {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS bench_sets (label TEXT PRIMARY KEY, campaign_id TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS bench_entities (label TEXT NOT NULL, idx INTEGER NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (label, idx))`,
		`CREATE TABLE IF NOT EXISTS bench_names (scope TEXT NOT NULL, ref TEXT NOT NULL, form TEXT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS bench_names_scope ON bench_names(scope)`,
		`CREATE INDEX IF NOT EXISTS bench_names_trgm ON bench_names USING gin (form public.gin_trgm_ops)`,
	} {
		if _, err := db.pool.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// SaveBaselineSet stores the set in one transaction, the many rows by COPY.
func (db *DB) SaveBaselineSet(ctx context.Context, set store.BaselineSet) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO bench_sets (label, campaign_id) VALUES ($1, $2)`, set.Label, set.CampaignID); err != nil {
			return err
		}
		var entities, names [][]any
		for i, e := range set.Entities {
			entities = append(entities, []any{set.Label, i, e.Ref})
			for _, form := range e.Names {
				names = append(names, []any{set.CampaignID, e.Ref, form})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_entities"}, []string{"label", "idx", "ref"}, pgx.CopyFromRows(entities)); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"bench_names"}, []string{"scope", "ref", "form"}, pgx.CopyFromRows(names))
		return err
	})
}

// BaselineSet reads the set saved under label.
func (db *DB) BaselineSet(ctx context.Context, label string) (string, []string, error) {
	var campaignID string
	if err := db.pool.QueryRow(ctx, `SELECT campaign_id FROM bench_sets WHERE label = $1`, label).Scan(&campaignID); err != nil {
		return "", nil, interpretError(err)
	}
	refs, err := db.baselineRefs(ctx, `SELECT ref FROM bench_entities WHERE label = $1 ORDER BY idx`, label)
	return campaignID, refs, err
}

// BaselineContains is the ILIKE '%q%' baseline.
func (db *DB) BaselineContains(ctx context.Context, campaignID, q string, limit int) ([]string, error) {
	refs, err := db.baselineRefs(ctx, `SELECT ref FROM bench_names WHERE scope = $1 AND form ILIKE $2
		ORDER BY length(form), form LIMIT $3`, campaignID, likeContains(q), limit)
	return distinct(refs), err
}

// BaselineSimilar is the pg_trgm baseline: the % operator, which the GIN
// index serves, filters by the default threshold; similarity() ranks.
func (db *DB) BaselineSimilar(ctx context.Context, campaignID, q string, limit int) ([]string, error) {
	refs, err := db.baselineRefs(ctx, `SELECT ref FROM bench_names WHERE scope = $1 AND form OPERATOR(public.%) $2
		ORDER BY public.similarity(form, $2) DESC, form LIMIT $3`, campaignID, q, limit)
	return distinct(refs), err
}

// RefreshStatistics vacuums and analyses the search index and the
// baseline's names.
func (db *DB) RefreshStatistics(ctx context.Context) error {
	_, err := db.pool.Exec(ctx, `VACUUM ANALYZE search_docs, search_keys, bench_names`)
	return err
}

func (db *DB) baselineRefs(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// likeContains escapes q for LIKE (whose default escape is \) and wraps it
// in %.
func likeContains(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// distinct keeps the first of each ref, in order.
func distinct(refs []string) []string {
	seen := make(map[string]bool, len(refs))
	out := refs[:0]
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

var _ store.BulkSearchIndex = (*DB)(nil)

// BulkIndex adds docs to the search index in one transaction: doc ids are
// reserved from the identity's sequence, the documents staged by COPY and
// inserted with their tsvectors computed by PostgreSQL as indexDoc does,
// and the keys copied straight into search_keys.
func (db *DB) BulkIndex(ctx context.Context, docs []search.Document) error {
	indexed := indexAll(docs)
	return db.tx(ctx, func(tx pgx.Tx) error {
		ids, err := collectIDs(tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('search_docs', 'doc_id')) FROM generate_series(1, $1)`, len(docs)))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE bulk_docs (doc_id bigint, scope text, entity_type text, entity_id text, name text,
			aliases text[], tags text[], context text, forms text, names text, gm_only boolean, body text, gm_body text, words text, gm_words text)
			ON COMMIT DROP`); err != nil {
			return err
		}
		i := -1
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"bulk_docs"}, []string{"doc_id", "scope", "entity_type", "entity_id", "name", "aliases", "tags",
			"context", "forms", "names", "gm_only", "body", "gm_body", "words", "gm_words"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if i++; i == len(indexed) {
					return nil, nil
				}
				in := &indexed[i]
				return []any{ids[i], in.Scope, in.Type, in.ID, in.Name, nonNil(in.Aliases), nonNil(in.Tags), in.Context, in.Forms, in.Names,
					in.GMOnly, in.Text, in.GMText, in.TextWords, in.GMTextWords}, nil
			}))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO search_docs (doc_id, campaign_id, scope, entity_type, entity_id, name, aliases, tags, context, forms, names,
				gm_only, body, gm_body, body_tsv, gm_tsv)
			OVERRIDING SYSTEM VALUE
			SELECT doc_id, CASE WHEN scope <> $1 THEN scope::uuid END, scope, entity_type, entity_id, name, aliases, tags, context, forms, names,
				gm_only, body, gm_body, to_tsvector('simple', words), to_tsvector('simple', gm_words)
			FROM bulk_docs ORDER BY doc_id`, search.ReferenceScope); err != nil {
			return interpretError(err)
		}
		d, k := 0, -1
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"search_keys"}, []string{"scope", "key", "doc_id", "gm_only"},
			pgx.CopyFromFunc(func() ([]any, error) {
				for k++; d < len(indexed) && k == len(indexed[d].Keys); k = 0 {
					d++
				}
				if d == len(indexed) {
					return nil, nil
				}
				in := &indexed[d]
				return []any{in.Scope, in.Keys[k], ids[d], in.GMOnly}, nil
			}))
		return interpretError(err)
	})
}

// indexAll runs search.Index over docs on every CPU: at a million
// documents it is most of a bulk load's own work.
func indexAll(docs []search.Document) []search.Indexed {
	out := make([]search.Indexed, len(docs))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(docs); i += workers {
				out[i] = search.Index(docs[i])
			}
		})
	}
	wg.Wait()
	return out
}

// SearchIndexBytes returns the on-disk size of search_keys and of
// search_docs, each with its indexes (and TOAST).
func (db *DB) SearchIndexBytes(ctx context.Context) (keys, docs int64, err error) {
	err = db.pool.QueryRow(ctx, `SELECT pg_total_relation_size('search_keys'), pg_total_relation_size('search_docs')`).Scan(&keys, &docs)
	return keys, docs, err
}
