package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
)

// listSep joins aliases in one column; names never hold it.
const listSep = "\x1f"

// keysPerInsert bounds the rows of one multi-row INSERT of keys (SQLite
// allows 32766 parameters; four per row).
const keysPerInsert = 250

// indexDoc writes d into the search index inside tx, replacing what was
// indexed for the same entity. Every write of an indexed entity calls it,
// so the index is never behind the data.
func indexDoc(ctx context.Context, tx *sql.Tx, d search.Document) error {
	return writeDoc(ctx, tx, d, search.Index(d), false)
}

// indexNewDoc is indexDoc for an entity inserted in tx: nothing can be
// indexed for it yet (its id is new, and deleting a document deletes its
// rows), so the deletes are left out. They are not free: a delete from a
// contentless FTS5 table writes a tombstone even for a row it never had.
// in is search.Index(d), computed before the transaction.
func indexNewDoc(ctx context.Context, tx *sql.Tx, d search.Document, in search.Indexed) error {
	return writeDoc(ctx, tx, d, in, true)
}

func writeDoc(ctx context.Context, tx *sql.Tx, d search.Document, in search.Indexed, fresh bool) error {
	var campaign any
	if d.Scope != search.ReferenceScope {
		campaign = d.Scope
	}
	upsert := ` ON CONFLICT (entity_type, entity_id) DO UPDATE SET campaign_id = excluded.campaign_id, scope = excluded.scope, name = excluded.name,
			aliases = excluded.aliases, context = excluded.context, forms = excluded.forms, gm_only = excluded.gm_only,
			body = excluded.body, gm_body = excluded.gm_body`
	if fresh {
		upsert = "" // a document already there is an error: a conflict
	}
	var docID int64
	err := tx.QueryRowContext(ctx, `INSERT INTO search_docs (campaign_id, scope, entity_type, entity_id, name, aliases, context, forms, gm_only, body, gm_body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`+upsert+` RETURNING doc_id`,
		campaign, d.Scope, d.Type, d.ID, d.Name, strings.Join(d.Aliases, listSep), d.Context, in.Forms, d.GMOnly, in.Text, in.GMText).Scan(&docID)
	if err != nil {
		return interpretError(err)
	}
	if !fresh {
		for _, q := range []string{`DELETE FROM search_keys WHERE doc_id = ?`, `DELETE FROM search_tags WHERE doc_id = ?`,
			`DELETE FROM search_names WHERE rowid = ?`, `DELETE FROM search_text WHERE rowid = ?`} {
			if _, err := tx.ExecContext(ctx, q, docID); err != nil {
				return interpretError(err)
			}
		}
	}
	if err := insertSearchKeys(ctx, tx, docID, in); err != nil {
		return err
	}
	if len(in.Tags) > 0 {
		args := make([]any, 0, 2*len(in.Tags))
		for _, tag := range in.Tags {
			args = append(args, docID, tag)
		}
		q := `INSERT OR IGNORE INTO search_tags (doc_id, tag) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?), ", len(in.Tags)), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return interpretError(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_names (rowid, names) VALUES (?, ?)`, docID, trigramText(in.Names)); err != nil {
		return interpretError(err)
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO search_text (rowid, body, gm_body) VALUES (?, ?, ?)`, docID, in.TextWords, in.GMTextWords); err != nil {
		return interpretError(err)
	}
	return markDocEmbedding(ctx, tx, docID, d)
}

// insertSearchKeys writes a document's keys, many rows per statement.
func insertSearchKeys(ctx context.Context, tx *sql.Tx, docID int64, in search.Indexed) error {
	for start := 0; start < len(in.Keys); start += keysPerInsert {
		chunk := in.Keys[start:min(len(in.Keys), start+keysPerInsert)]
		args := make([]any, 0, 4*len(chunk))
		for _, k := range chunk {
			args = append(args, in.Scope, k, docID, in.GMOnly)
		}
		q := `INSERT INTO search_keys (scope, key, doc_id, gm_only) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(chunk)), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return interpretError(err)
		}
	}
	return nil
}

// trigramText pads every word with spaces, so that FTS5's trigrams, which
// do not see word boundaries, include the first and last letters as
// pg_trgm's padded trigrams do.
func trigramText(names string) string {
	lines := strings.Split(names, "\n")
	for i, l := range lines {
		lines[i] = " " + strings.ReplaceAll(l, " ", "  ") + " "
	}
	return strings.Join(lines, "\n")
}

// searchFilter is the SQL condition of f on the search_docs alias d, and
// its arguments.
func searchFilter(f search.Filter, d string) (string, []any) {
	cond := d + `.scope = ? AND (? OR ` + d + `.gm_only = 0)`
	args := []any{f.Scope, f.GM}
	if len(f.Tags) > 0 {
		cond += ` AND (SELECT count(*) FROM search_tags t WHERE t.doc_id = ` + d + `.doc_id AND t.tag IN (SELECT value FROM json_each(?))) = ?`
		args = append(args, jsonArray(f.Tags), len(f.Tags))
	}
	return cond, args
}

func jsonArray[T any](items []T) string {
	if items == nil {
		return "[]"
	}
	b, err := json.Marshal(items)
	if err != nil {
		panic(err) // strings and integers always marshal
	}
	return string(b)
}

// SearchKeys looks every key up in the primary key of search_keys. The
// correlated scalar subquery bounds the rows read per key; SQLite has no
// LATERAL join, but a subquery inside a scalar subquery may refer to the
// outer row.
func (db *DB) SearchKeys(ctx context.Context, p search.KeyProbe) ([]search.Hit, error) {
	var exact, prefix []string
	var exactAt, prefixAt []int
	for i, k := range p.Keys {
		if k.Prefix {
			prefix, prefixAt = append(prefix, k.Text), append(prefixAt, i)
		} else {
			exact, exactAt = append(exact, k.Text), append(exactAt, i)
		}
	}
	tags := ""
	args := []any{p.Scope, p.GM}
	if len(p.Tags) > 0 {
		tags = ` AND (SELECT count(*) FROM search_tags t WHERE t.doc_id = s.doc_id AND t.tag IN (SELECT value FROM json_each(?3))) = ?4`
	}
	args = append(args, jsonArray(p.Tags), len(p.Tags), jsonArray(exact), p.PerKey, jsonArray(prefix), p.PerPrefix)
	rows, err := db.read.QueryContext(ctx, `
		SELECT 0, j.key, (SELECT group_concat(doc_id) FROM (SELECT s.doc_id FROM search_keys s
			WHERE s.scope = ?1 AND s.key = j.value AND (?2 OR s.gm_only = 0)`+tags+` ORDER BY s.doc_id LIMIT ?6))
		FROM json_each(?5) j
		UNION ALL
		SELECT 1, j.key, (SELECT group_concat(doc_id) FROM (SELECT s.doc_id FROM search_keys s
			WHERE s.scope = ?1 AND s.key >= j.value AND s.key < j.value || char(1114111) AND (?2 OR s.gm_only = 0)`+tags+`
			ORDER BY s.key, s.doc_id LIMIT ?8))
		FROM json_each(?7) j`, args...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var hits []search.Hit
	for rows.Next() {
		var isPrefix, at int
		var ids sql.NullString
		if err := rows.Scan(&isPrefix, &at, &ids); err != nil {
			return nil, interpretError(err)
		}
		key := exactAt
		if isPrefix == 1 {
			key = prefixAt
		}
		for id := range strings.SplitSeq(ids.String, ",") {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				hits = append(hits, search.Hit{DocID: n, Key: key[at]})
			}
		}
	}
	return hits, interpretError(rows.Err())
}

// SearchText asks the full-text index for documents holding every word;
// players' probes look at the body column only.
func (db *DB) SearchText(ctx context.Context, p search.TextProbe) ([]int64, error) {
	terms := make([]string, len(p.Words))
	for i, w := range p.Words {
		terms[i] = `"` + w + `"`
		if p.LastPrefix && i == len(p.Words)-1 {
			terms[i] += "*"
		}
	}
	expr := `(` + strings.Join(terms, " AND ") + `)`
	match := `body : ` + expr
	if p.GM {
		match += ` OR gm_body : ` + expr
	}
	cond, args := searchFilter(p.Filter, "d")
	return db.searchIDs(ctx, `SELECT d.doc_id FROM search_text t JOIN search_docs d ON d.doc_id = t.rowid
		WHERE search_text MATCH ? AND `+cond+` LIMIT ?`, append(append([]any{match}, args...), p.Limit)...)
}

// SearchTrigrams asks the trigram index for the names sharing the most
// trigrams with p.Text, best (by FTS5's bm25) first. Only the query's
// rarest trigrams are looked up: bm25 of an OR of common ones would score
// most of a large campaign, and the names a mangled query means share its
// unusual letters more surely than its common ones.
func (db *DB) SearchTrigrams(ctx context.Context, p search.TrigramProbe) ([]int64, error) {
	var terms []string
	seen := map[string]bool{}
	text := []rune(trigramText(p.Text))
	for i := 0; i+3 <= len(text); i++ {
		if tg := string(text[i : i+3]); !seen[tg] && strings.TrimSpace(tg) != "" {
			seen[tg] = true
			terms = append(terms, tg)
		}
	}
	terms, err := db.rareTrigrams(ctx, terms, max(minRareTrigrams, len(terms)/2))
	if err != nil || len(terms) == 0 {
		return nil, err
	}
	for i, t := range terms {
		terms[i] = `"` + t + `"`
	}
	cond, args := searchFilter(p.Filter, "d")
	return db.searchIDs(ctx, `SELECT d.doc_id FROM search_names n JOIN search_docs d ON d.doc_id = n.rowid
		WHERE search_names MATCH ? AND `+cond+` ORDER BY n.rank LIMIT ?`, append(append([]any{strings.Join(terms, " OR ")}, args...), p.Limit)...)
}

// minRareTrigrams is the least number of trigrams a fallback looks up.
const minRareTrigrams = 4

// rareTrigrams returns the n of terms that the fewest names hold, by the
// FTS5 vocabulary; terms no name holds are dropped.
func (db *DB) rareTrigrams(ctx context.Context, terms []string, n int) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT term FROM search_names_vocab WHERE term IN (SELECT value FROM json_each(?)) ORDER BY doc LIMIT ?`,
		jsonArray(terms), n)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, interpretError(err)
		}
		out = append(out, t)
	}
	return out, interpretError(rows.Err())
}

func (db *DB) searchIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, interpretError(err)
		}
		out = append(out, id)
	}
	return out, interpretError(rows.Err())
}

// SearchDocs loads candidates, and then the text of those the text probe
// matched (bounded: ranking reads no further) — usually none, so the
// common case is one narrow query.
func (db *DB) SearchDocs(ctx context.Context, p search.DocsProbe) ([]search.Candidate, error) {
	cond, args := searchFilter(p.Filter, "d")
	rows, err := db.read.QueryContext(ctx, `SELECT d.doc_id, d.entity_type, d.entity_id, d.name, d.aliases, d.context, d.gm_only, d.forms
		FROM search_docs d WHERE d.doc_id IN (SELECT value FROM json_each(?)) AND `+cond,
		append([]any{jsonArray(p.IDs)}, args...)...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []search.Candidate
	at := map[int64]int{}
	for rows.Next() {
		var c search.Candidate
		var aliases string
		if err := rows.Scan(&c.DocID, &c.Type, &c.ID, &c.Name, &aliases, &c.Context, &c.GMOnly, &c.Forms); err != nil {
			return nil, interpretError(err)
		}
		if aliases != "" {
			c.Aliases = strings.Split(aliases, listSep)
		}
		at[c.DocID] = len(out)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, interpretError(err)
	}
	if len(p.TextIDs) == 0 {
		return out, nil
	}
	return out, db.searchText(ctx, p, out, at)
}

// searchText fills in the text of the candidates in p.TextIDs.
func (db *DB) searchText(ctx context.Context, p search.DocsProbe, out []search.Candidate, at map[int64]int) error {
	rows, err := db.read.QueryContext(ctx, `SELECT doc_id, substr(body, 1, 65536), CASE WHEN ? THEN substr(gm_body, 1, 65536) ELSE '' END
		FROM search_docs WHERE doc_id IN (SELECT value FROM json_each(?))`, p.GM, jsonArray(p.TextIDs))
	if err != nil {
		return interpretError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var text, gmText string
		if err := rows.Scan(&id, &text, &gmText); err != nil {
			return interpretError(err)
		}
		if i, ok := at[id]; ok {
			out[i].Text, out[i].GMText = text, gmText
		}
	}
	return interpretError(rows.Err())
}

// indexLocations indexes the location id and every location below it,
// inside tx. A location's breadcrumb, and whether players see it, depend
// on its ancestors, so a rename, a change of visibility or a move changes
// the documents of the whole subtree.
func indexLocations(ctx context.Context, tx *sql.Tx, id string) error {
	var campaignID, path string
	if err := tx.QueryRowContext(ctx, `SELECT campaign_id, path FROM locations WHERE id = ?`, id).Scan(&campaignID, &path); err != nil {
		return interpretError(err)
	}
	lo, hi := gmc.SubtreeRange(path)
	ids := strings.Split(strings.Trim(path, "/"), "/")
	all, err := queryLocations(ctx, tx, `SELECT `+locationColumns+` FROM locations
		WHERE campaign_id = ? AND (path >= ? AND path < ? OR id IN (SELECT value FROM json_each(?))) ORDER BY path`,
		campaignID, lo, hi, jsonArray(ids))
	if err != nil {
		return err
	}
	for _, d := range search.LocationDocs(all, lo, hi) {
		if err := indexDoc(ctx, tx, d); err != nil {
			return err
		}
	}
	return nil
}
