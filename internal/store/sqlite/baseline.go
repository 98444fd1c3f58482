package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"unicode"

	"github.com/gmc-project/gmc/internal/store"
)

var (
	_ store.SearchBaseline  = (*DB)(nil)
	_ store.TrigramBaseline = (*DB)(nil)
)

// PrepareBaseline creates the tables of `gmc bench search`'s baselines:
// bench_sets names each data set's campaign, bench_entities keeps its
// entities' refs in order, bench_names holds every name with the number
// of its trigrams, and bench_trigrams indexes the names' trigrams with
// FTS5's trigram tokenizer (rowid: the name's id).
func (db *DB) PrepareBaseline(ctx context.Context) error {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS bench_sets (label TEXT PRIMARY KEY, campaign_id TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS bench_entities (label TEXT NOT NULL, idx INTEGER NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (label, idx))`,
		`CREATE TABLE IF NOT EXISTS bench_names (id INTEGER PRIMARY KEY, scope TEXT NOT NULL, ref TEXT NOT NULL, form TEXT NOT NULL,
			trigrams INTEGER NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS bench_names_scope ON bench_names(scope)`,
		`CREATE VIRTUAL TABLE IF NOT EXISTS bench_trigrams USING fts5(words, content='', tokenize='trigram')`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// SaveBaselineSet stores the set with one prepared statement per table in
// one transaction, which is how SQLite loads many rows fast.
func (db *DB) SaveBaselineSet(ctx context.Context, set store.BaselineSet) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO bench_sets (label, campaign_id) VALUES (?, ?)`, set.Label, set.CampaignID); err != nil {
			return interpretError(err)
		}
		entity, err := tx.PrepareContext(ctx, `INSERT INTO bench_entities (label, idx, ref) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer entity.Close()
		name, err := tx.PrepareContext(ctx, `INSERT INTO bench_names (scope, ref, form, trigrams) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer name.Close()
		words, err := tx.PrepareContext(ctx, `INSERT INTO bench_trigrams (rowid, words) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer words.Close()
		for i, e := range set.Entities {
			if _, err := entity.ExecContext(ctx, set.Label, i, e.Ref); err != nil {
				return err
			}
			for _, form := range e.Names {
				res, err := name.ExecContext(ctx, set.CampaignID, e.Ref, form, len(pgTrigrams(form)))
				if err != nil {
					return err
				}
				id, err := res.LastInsertId()
				if err != nil {
					return err
				}
				if _, err := words.ExecContext(ctx, id, paddedWords(form)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// BaselineSet reads the set saved under label.
func (db *DB) BaselineSet(ctx context.Context, label string) (string, []string, error) {
	var campaignID string
	if err := db.read.QueryRowContext(ctx, `SELECT campaign_id FROM bench_sets WHERE label = ?`, label).Scan(&campaignID); err != nil {
		return "", nil, interpretError(err)
	}
	refs, err := db.baselineRefs(ctx, `SELECT ref FROM bench_entities WHERE label = ? ORDER BY idx`, label)
	return campaignID, refs, err
}

// BaselineContains is the substring baseline. SQLite's LIKE ignores ASCII
// case, as ILIKE does.
func (db *DB) BaselineContains(ctx context.Context, campaignID, q string, limit int) ([]string, error) {
	refs, err := db.baselineRefs(ctx, `SELECT ref FROM bench_names WHERE scope = ? AND form LIKE ? ESCAPE '\'
		ORDER BY length(form), form LIMIT ?`, campaignID, likeContains(q), limit)
	return distinct(refs), err
}

// BaselineSimilar is the trigram baseline on SQLite: pg_trgm's similarity
// (the trigrams two strings share over the trigrams of either, Jaccard),
// with pg_trgm's default threshold 0.3 and its trigrams (lower case, each
// word of letters and digits padded with two spaces before and one
// after), over the names that share a trigram with q, which FTS5's
// trigram index finds: one lookup per trigram of q, all in one statement.
//
// Why this ranking: it is the ranking of the PostgreSQL baseline, so the
// ratio against gmc's search means the same on both backends, and it is
// the stronger of FTS5's two natural choices. bm25 over q's trigrams
// OR-ed weighs rare trigrams up but scores a name by the query's
// trigrams alone, so a long name holding them all outranks the short
// name the query means; a raw count of shared trigrams does the same. A
// mistyped name keeps most of its trigrams whatever its letters, which
// is what the similarity measures; the FTS5 index only makes it cheap.
func (db *DB) BaselineSimilar(ctx context.Context, campaignID, q string, limit int) ([]string, error) {
	trigrams := pgTrigrams(q)
	if len(trigrams) == 0 {
		return nil, nil
	}
	phrases := make([]string, len(trigrams))
	for i, tg := range trigrams {
		phrases[i] = `"` + tg + `"` // letters, digits and spaces: nothing to escape
	}
	refs, err := db.baselineRefs(ctx, `WITH shared AS (
			SELECT t.rowid AS id, count(*) AS n FROM json_each(?) p JOIN bench_trigrams t ON bench_trigrams MATCH p.value GROUP BY t.rowid),
		scored AS (SELECT b.ref, b.form, s.n * 1.0 / (? + b.trigrams - s.n) AS similarity FROM shared s JOIN bench_names b ON b.id = s.id
			WHERE b.scope = ?)
		SELECT ref FROM scored WHERE similarity >= 0.3 ORDER BY similarity DESC, form LIMIT ?`,
		jsonArray(phrases), len(trigrams), campaignID, limit)
	return distinct(refs), err
}

// pgTrigrams returns the distinct trigrams of s as pg_trgm makes them.
func pgTrigrams(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range trigramWords(s) {
		r := []rune("  " + w + " ")
		for i := 0; i+3 <= len(r); i++ {
			if tg := string(r[i : i+3]); !seen[tg] {
				seen[tg] = true
				out = append(out, tg)
			}
		}
	}
	return out
}

// paddedWords is s as the trigram index stores it: every word padded as
// pg_trgm pads it. The index also holds trigrams that span two words
// ("a  " and "   "); pg_trgm makes none such, so no query looks them up.
func paddedWords(s string) string {
	var b strings.Builder
	for _, w := range trigramWords(s) {
		b.WriteString("  " + w + " ")
	}
	return b.String()
}

// trigramWords splits lower-cased s into pg_trgm's words: runs of
// letters and digits.
func trigramWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// RefreshStatistics runs ANALYZE.
func (db *DB) RefreshStatistics(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `ANALYZE`)
	return err
}

func (db *DB) baselineRefs(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var refs []string
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	return refs, rows.Err()
}

// likeContains escapes q for LIKE … ESCAPE '\' and wraps it in %.
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
