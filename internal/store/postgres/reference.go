package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// UpsertReferenceEntries inserts new and replaces changed entries.
func (db *DB) UpsertReferenceEntries(ctx context.Context, entries []reference.Entry, at time.Time) (inserted, updated int, err error) {
	err = db.tx(ctx, func(tx pgx.Tx) error {
		known, err := referenceHashes(ctx, tx)
		if err != nil {
			return err
		}
		batch := &pgx.Batch{}
		for _, e := range entries {
			row, err := store.EncodeReference(e)
			if err != nil {
				return err
			}
			old, exists := known[e.Kind+"/"+e.Slug]
			if exists && old == row.Hash {
				continue
			}
			batch.Queue(`INSERT INTO reference_entries (kind, slug, name, aliases, variant, card, data, content_hash, imported_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				ON CONFLICT (kind, slug) DO UPDATE SET name = excluded.name, aliases = excluded.aliases, variant = excluded.variant,
					card = excluded.card, data = excluded.data, content_hash = excluded.content_hash, imported_at = excluded.imported_at`,
				e.Kind, e.Slug, e.Name, string(row.Aliases), e.Variant, string(row.Card), string(e.Data), row.Hash, at)
			queueIndexDoc(batch, search.ReferenceDoc(e))
			if exists {
				updated++
			} else {
				inserted++
			}
			known[e.Kind+"/"+e.Slug] = row.Hash
		}
		// One round trip for the whole import instead of one per entry.
		return interpretError(tx.SendBatch(ctx, batch).Close())
	})
	return inserted, updated, err
}

func referenceHashes(ctx context.Context, q querier) (map[string]string, error) {
	rows, err := q.Query(ctx, `SELECT kind, slug, content_hash FROM reference_entries`)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var kind, slug, hash string
		if err := rows.Scan(&kind, &slug, &hash); err != nil {
			return nil, interpretError(err)
		}
		out[kind+"/"+slug] = hash
	}
	return out, interpretError(rows.Err())
}

func scanReference(row pgx.Row) (reference.Entry, error) {
	var e reference.Entry
	var aliases, card, data []byte
	if err := row.Scan(&e.Kind, &e.Slug, &e.Name, &aliases, &e.Variant, &card, &data); err != nil {
		return e, interpretError(err)
	}
	if err := json.Unmarshal(aliases, &e.Aliases); err != nil {
		return e, err
	}
	if err := json.Unmarshal(card, &e.Card); err != nil {
		return e, err
	}
	e.Data = json.RawMessage(data)
	return e, nil
}

const referenceColumns = `kind, slug, name, aliases, variant, card, data`

// ReferenceEntry returns one entry.
func (db *DB) ReferenceEntry(ctx context.Context, kind, slug string) (*reference.Entry, error) {
	e, err := scanReference(db.q.QueryRow(ctx, `SELECT `+referenceColumns+` FROM reference_entries WHERE kind = $1 AND slug = $2`, kind, slug))
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// ReferenceEntries lists entries by kind and slug.
func (db *DB) ReferenceEntries(ctx context.Context, f store.ReferenceFilter) ([]reference.Entry, string, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	kind, slug, _ := strings.Cut(f.Cursor, "/")
	// COLLATE "C" orders like SQLite's byte-wise comparison, so both
	// backends page identically.
	q := `SELECT ` + referenceColumns + ` FROM reference_entries WHERE (kind COLLATE "C", slug COLLATE "C") > ($1, $2)`
	args := []any{kind, slug}
	if f.Kind != "" {
		q += ` AND kind = $3`
		args = append(args, f.Kind)
	}
	args = append(args, limit+1)
	rows, err := db.q.Query(ctx, q+` ORDER BY kind COLLATE "C", slug COLLATE "C" LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanReference)
	if err != nil {
		return nil, "", err
	}
	if len(out) > limit {
		last := out[limit-1]
		return out[:limit], last.Kind + "/" + last.Slug, nil
	}
	return out, "", nil
}

// ReferenceKinds counts entries per kind.
func (db *DB) ReferenceKinds(ctx context.Context) (map[string]int, error) {
	rows, err := db.q.Query(ctx, `SELECT kind, count(*) FROM reference_entries GROUP BY kind`)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, interpretError(err)
		}
		out[kind] = n
	}
	return out, interpretError(rows.Err())
}
