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
// entities' refs in order, bench_names holds every name, and
// bench_trigrams indexes the names' trigrams with FTS5's trigram
// tokenizer (rowid: the name's id).
func (db *DB) PrepareBaseline(ctx context.Context) error {
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS bench_sets (label TEXT PRIMARY KEY, campaign_id TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS bench_entities (label TEXT NOT NULL, idx INTEGER NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (label, idx))`,
		`CREATE TABLE IF NOT EXISTS bench_names (id INTEGER PRIMARY KEY, scope TEXT NOT NULL, ref TEXT NOT NULL, form TEXT NOT NULL)`,
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
		name, err := tx.PrepareContext(ctx, `INSERT INTO bench_names (scope, ref, form) VALUES (?, ?, ?)`)
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
				res, err := name.ExecContext(ctx, set.CampaignID, e.Ref, form)
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

// BaselineSimilar is the trigram baseline on SQLite: FTS5's own ranking,
// bm25, of the names its trigram index finds for any of q's trigrams
// (OR-ed: FTS5 matches whole trigram phrases only, so a mistyped query
// must be broken into its trigrams, and any of them may be the mistake),
// in one statement. Trigrams are pg_trgm's (lower case, each word of
// letters and digits padded with two spaces before and one after), so
// first and last letters count as they do on PostgreSQL.
//
// Why bm25 and not pg_trgm's similarity (the shared trigrams over the
// trigrams of either, with its 0.3 threshold), which the PostgreSQL
// baseline uses: the baseline should be the strongest plain use of the
// index, and bm25 is stronger. It weighs a trigram by how rare it is,
// and a typo's rare trigrams name the entity better than its common
// ones; it has no threshold, which drops short names one typo breaks;
// and it is what FTS5 answers with. On the bench's generated campaign
// (2,000 entities, seed 1) it ranked the meant entity in the top five
// for 0.997 of the queries, the similarity for 0.939. It is slower: it
// scores every name holding any of the query's trigrams (at 10,000
// entities about a third of the similarity's throughput), which is the
// price of matching any trigram, and what a fair strong baseline pays.
// Ranking by a raw count of shared trigrams would favour long names,
// which hold more trigrams.
func (db *DB) BaselineSimilar(ctx context.Context, campaignID, q string, limit int) ([]string, error) {
	trigrams := pgTrigrams(q)
	if len(trigrams) == 0 {
		return nil, nil
	}
	for i, tg := range trigrams {
		trigrams[i] = `"` + tg + `"` // letters, digits and spaces: nothing to escape
	}
	// CROSS JOIN pins the index lookup as the outer loop whatever the
	// statistics say: walking the campaign's names instead would run the
	// MATCH once for each.
	refs, err := db.baselineRefs(ctx, `SELECT b.ref FROM bench_trigrams t CROSS JOIN bench_names b ON b.id = t.rowid
		WHERE bench_trigrams MATCH ? AND b.scope = ? ORDER BY t.rank, b.form LIMIT ?`, strings.Join(trigrams, " OR "), campaignID, limit)
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
