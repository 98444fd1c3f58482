package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// UpsertReferenceEntries inserts new and replaces changed entries.
func (db *DB) UpsertReferenceEntries(ctx context.Context, entries []reference.Entry, at time.Time) (inserted, updated int, err error) {
	err = db.tx(ctx, func(tx *sql.Tx) error {
		known, err := referenceHashes(ctx, tx)
		if err != nil {
			return err
		}
		for _, e := range entries {
			row, err := store.EncodeReference(e)
			if err != nil {
				return err
			}
			old, exists := known[e.Kind+"/"+e.Slug]
			if exists && old == row.Hash {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO reference_entries (kind, slug, name, aliases, variant, card, data, content_hash, imported_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (kind, slug) DO UPDATE SET name = excluded.name, aliases = excluded.aliases, variant = excluded.variant,
					card = excluded.card, data = excluded.data, content_hash = excluded.content_hash, imported_at = excluded.imported_at`,
				e.Kind, e.Slug, e.Name, string(row.Aliases), e.Variant, string(row.Card), string(e.Data), row.Hash, micros(at)); err != nil {
				return interpretError(err)
			}
			if err := indexDoc(ctx, tx, search.ReferenceDoc(e)); err != nil {
				return err
			}
			if exists {
				updated++
			} else {
				inserted++
			}
			known[e.Kind+"/"+e.Slug] = row.Hash
		}
		return nil
	})
	return inserted, updated, err
}

func referenceHashes(ctx context.Context, q querier) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT kind, slug, content_hash FROM reference_entries`)
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

func scanReference(row interface{ Scan(...any) error }) (reference.Entry, error) {
	var e reference.Entry
	var aliases, card, data string
	if err := row.Scan(&e.Kind, &e.Slug, &e.Name, &aliases, &e.Variant, &card, &data); err != nil {
		return e, interpretError(err)
	}
	if err := json.Unmarshal([]byte(aliases), &e.Aliases); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(card), &e.Card); err != nil {
		return e, err
	}
	e.Data = json.RawMessage(data)
	return e, nil
}

const referenceColumns = `kind, slug, name, aliases, variant, card, data`

// ReferenceEntry returns one entry.
func (db *DB) ReferenceEntry(ctx context.Context, kind, slug string) (*reference.Entry, error) {
	e, err := scanReference(db.read.QueryRowContext(ctx, `SELECT `+referenceColumns+` FROM reference_entries WHERE kind = ? AND slug = ?`, kind, slug))
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
	q := `SELECT ` + referenceColumns + ` FROM reference_entries WHERE (kind, slug) > (?, ?)`
	args := []any{kind, slug}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY kind, slug LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", interpretError(err)
	}
	defer rows.Close()
	var out []reference.Entry
	for rows.Next() {
		e, err := scanReference(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", interpretError(err)
	}
	if len(out) > limit {
		last := out[limit-1]
		return out[:limit], last.Kind + "/" + last.Slug, nil
	}
	return out, "", nil
}

// ReferenceKinds counts entries per kind.
func (db *DB) ReferenceKinds(ctx context.Context) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT kind, count(*) FROM reference_entries GROUP BY kind`)
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
