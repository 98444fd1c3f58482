package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
)

// trigramThreshold is the word similarity (pg_trgm's %> operator) a name
// needs to be a fallback candidate: low, because the fallback serves
// queries too mangled for the keys, and ranking in Go has the last word.
const trigramThreshold = "0.4"

// indexDoc writes d into the search index inside tx, replacing what was
// indexed for the same entity, in one round trip. Every write of an
// indexed entity calls it, so the index is never behind the data.
func indexDoc(ctx context.Context, tx pgx.Tx, d search.Document) error {
	b := &pgx.Batch{}
	queueIndexDoc(b, d)
	return interpretError(tx.SendBatch(ctx, b).Close())
}

// queueIndexDoc adds to b the statements that index d: upsert the
// document (keeping its doc_id), then replace its keys. Statements of a
// batch run in order, so the later ones find the doc_id by entity.
func queueIndexDoc(b *pgx.Batch, d search.Document) {
	in := search.Index(d)
	var campaign any
	if d.Scope != search.ReferenceScope {
		campaign = d.Scope
	}
	args := pgx.NamedArgs{
		"campaign": campaign, "scope": d.Scope, "type": d.Type, "id": d.ID, "name": d.Name,
		"aliases": nonNil(d.Aliases), "tags": nonNil(in.Tags), "context": d.Context, "forms": in.Forms, "names": in.Names,
		"gm_only": d.GMOnly, "body": in.Text, "gm_body": in.GMText, "words": in.TextWords, "gm_words": in.GMTextWords, "keys": in.Keys,
	}
	b.Queue(`INSERT INTO search_docs (campaign_id, scope, entity_type, entity_id, name, aliases, tags, context, forms, names, gm_only, body, gm_body, body_tsv, gm_tsv)
		VALUES (@campaign, @scope, @type, @id, @name, @aliases, @tags, @context, @forms, @names, @gm_only, @body, @gm_body,
			to_tsvector('simple', @words), to_tsvector('simple', @gm_words))
		ON CONFLICT (entity_type, entity_id) DO UPDATE SET campaign_id = excluded.campaign_id, scope = excluded.scope, name = excluded.name,
			aliases = excluded.aliases, tags = excluded.tags, context = excluded.context, forms = excluded.forms, names = excluded.names,
			gm_only = excluded.gm_only, body = excluded.body, gm_body = excluded.gm_body, body_tsv = excluded.body_tsv, gm_tsv = excluded.gm_tsv`, args)
	b.Queue(`DELETE FROM search_keys WHERE doc_id = (SELECT doc_id FROM search_docs WHERE entity_type = @type AND entity_id = @id)`, args)
	b.Queue(`INSERT INTO search_keys (scope, key, doc_id, gm_only)
		SELECT @scope, k, d.doc_id, @gm_only FROM search_docs d, unnest(@keys::text[]) k WHERE d.entity_type = @type AND d.entity_id = @id`, args)
	queueMarkDocEmbedding(b, d)
}

// searchFilter is the SQL condition of f on the search_docs alias d; it
// adds its arguments to args.
func searchFilter(f search.Filter, d string, args pgx.NamedArgs) string {
	args["scope"], args["gm"] = f.Scope, f.GM
	cond := d + `.scope = @scope AND (@gm OR NOT ` + d + `.gm_only)`
	if len(f.Tags) > 0 {
		args["tags"] = f.Tags
		cond += ` AND ` + d + `.tags @> @tags::text[]`
	}
	return cond
}

// SearchKeys looks every key up in the primary key of search_keys, a
// bounded index range per key.
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
	args := pgx.NamedArgs{"scope": p.Scope, "gm": p.GM, "exact": nonNil(exact), "prefix": nonNil(prefix), "per_key": p.PerKey, "per_prefix": p.PerPrefix}
	tags := ""
	if len(p.Tags) > 0 {
		args["tags"] = p.Tags
		tags = ` AND EXISTS (SELECT 1 FROM search_docs d WHERE d.doc_id = s.doc_id AND d.tags @> @tags::text[])`
	}
	rows, err := db.reader(ctx).Query(ctx, `
		SELECT false, k.i, s.doc_id FROM unnest(@exact::text[]) WITH ORDINALITY AS k(key, i)
		CROSS JOIN LATERAL (SELECT s.doc_id FROM search_keys s WHERE s.scope = @scope AND s.key = k.key AND (@gm OR NOT s.gm_only)`+tags+`
			ORDER BY s.doc_id LIMIT @per_key) s
		UNION ALL
		SELECT true, k.i, s.doc_id FROM unnest(@prefix::text[]) WITH ORDINALITY AS k(key, i)
		CROSS JOIN LATERAL (SELECT s.key, s.doc_id FROM search_keys s
			WHERE s.scope = @scope AND s.key >= k.key AND s.key < k.key || chr(1114111) AND (@gm OR NOT s.gm_only)`+tags+`
			ORDER BY s.key, s.doc_id LIMIT @per_prefix) s`, args)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var hits []search.Hit
	for rows.Next() {
		var isPrefix bool
		var at, id int64
		if err := rows.Scan(&isPrefix, &at, &id); err != nil {
			return nil, interpretError(err)
		}
		key := exactAt
		if isPrefix {
			key = prefixAt
		}
		hits = append(hits, search.Hit{DocID: id, Key: key[at-1]})
	}
	return hits, interpretError(rows.Err())
}

var _ search.Gatherer = (*DB)(nil)

// Gather runs a search's membership check, key lookups, full-text probe,
// choice of candidates (search.PickCandidates in SQL) and document fetch
// as one statement. Each part is a CTE, so a lookup of another kind is one
// more CTE joined into ids. The statement returns no row when the caller
// is not a member, and one row with a NULL document when nothing matched.
func (db *DB) Gather(ctx context.Context, p search.GatherProbe) (search.Gathered, error) {
	var out search.Gathered
	args := pgx.NamedArgs{"scope": p.Scope}
	access := `SELECT @gm::boolean AS gm`
	args["gm"] = p.GM
	if p.Member != "" {
		if !isUUID(p.Member) || !isUUID(p.Scope) {
			return out, nil
		}
		access = `SELECT m.role = 'gm' AS gm FROM members m WHERE m.campaign_id = @campaign::uuid AND m.user_id = @member::uuid`
		args["member"], args["campaign"] = p.Member, p.Scope
	}
	exact, prefix := []string{}, []string{}
	exactAt, prefixAt := []int{}, []int{}
	strength, first, last := make([]int, len(p.Keys)), make([]int, len(p.Keys)), make([]int, len(p.Keys))
	for i, k := range p.Keys {
		if k.Prefix {
			prefix, prefixAt = append(prefix, k.Text), append(prefixAt, i+1)
		} else {
			exact, exactAt = append(exact, k.Text), append(exactAt, i+1)
		}
		strength[i], first[i], last[i] = k.Strength(), k.First, k.Last
	}
	args["exact"], args["exact_at"], args["prefix"], args["prefix_at"] = exact, exactAt, prefix, prefixAt
	words := make([]int, p.QueryWords)
	for i := range words {
		words[i] = i
	}
	args["strength"], args["first"], args["last"], args["words"] = strength, first, last, words
	args["per_key"], args["per_prefix"], args["max"] = p.PerKey, p.PerPrefix, p.MaxCandidates
	keyTags, docTags := "", ""
	if len(p.Tags) > 0 {
		args["tags"] = p.Tags
		keyTags = ` AND EXISTS (SELECT 1 FROM search_docs d WHERE d.doc_id = s.doc_id AND d.tags @> @tags::text[])`
		docTags = ` AND d.tags @> @tags::text[]`
	}
	// text is referenced twice, so PostgreSQL computes it once.
	text := `SELECT NULL::bigint AS doc_id WHERE false`
	if len(p.Words) > 0 {
		args["query"], args["text_limit"] = tsQuery(p.Words, p.LastPrefix), p.TextLimit
		text = `SELECT d.doc_id FROM access a, search_docs d WHERE d.scope = @scope AND (a.gm OR NOT d.gm_only)` + docTags + `
			AND (d.body_tsv @@ to_tsquery('simple', @query) OR (a.gm AND d.gm_tsv @@ to_tsquery('simple', @query))) LIMIT @text_limit`
	}
	q := `WITH access AS (` + access + `),
		hits AS (
			SELECT k.i, s.doc_id FROM access a, unnest(@exact::text[], @exact_at::int[]) AS k(key, i)
			CROSS JOIN LATERAL (SELECT s.doc_id FROM search_keys s WHERE s.scope = @scope AND s.key = k.key AND (a.gm OR NOT s.gm_only)` + keyTags + `
				ORDER BY s.doc_id LIMIT @per_key) s
			UNION ALL
			SELECT k.i, s.doc_id FROM access a, unnest(@prefix::text[], @prefix_at::int[]) AS k(key, i)
			CROSS JOIN LATERAL (SELECT s.key, s.doc_id FROM search_keys s
				WHERE s.scope = @scope AND s.key >= k.key AND s.key < k.key || chr(1114111) AND (a.gm OR NOT s.gm_only)` + keyTags + `
				ORDER BY s.key, s.doc_id LIMIT @per_prefix) s),
		per_word AS (
			SELECT h.doc_id, max((@strength::int[])[h.i]) AS best, count(*) AS n
			FROM hits h JOIN unnest(@words::int[]) w ON w BETWEEN (@first::int[])[h.i] AND (@last::int[])[h.i]
			GROUP BY h.doc_id, w),
		picked AS (SELECT doc_id FROM per_word GROUP BY doc_id ORDER BY sum(4 * best + least(n, 4)) DESC, doc_id LIMIT @max),
		text AS (` + text + `),
		ids AS (SELECT doc_id FROM picked UNION SELECT doc_id FROM text)
		SELECT a.gm, c.* FROM access a LEFT JOIN LATERAL (
			SELECT d.doc_id, d.entity_type, d.entity_id, d.name, d.aliases, d.context, d.gm_only, d.forms, t.doc_id IS NOT NULL AS text_hit,
				CASE WHEN t.doc_id IS NOT NULL THEN left(d.body, 65536) ELSE '' END AS body,
				CASE WHEN a.gm AND t.doc_id IS NOT NULL THEN left(d.gm_body, 65536) ELSE '' END AS gm_body
			FROM ids LEFT JOIN text t ON t.doc_id = ids.doc_id
			-- A lookup by primary key per document, whatever the planner
			-- guesses of how many ids there are (it guesses thousands, and
			-- would hash all of search_docs): LIMIT keeps it from merging
			-- the subquery into a join.
			CROSS JOIN LATERAL (SELECT * FROM search_docs d WHERE d.doc_id = ids.doc_id LIMIT 1) d
			WHERE d.scope = @scope AND (a.gm OR NOT d.gm_only)` + docTags + `) c ON true`
	err := db.gatherQuery(ctx, q, args, func(rows pgx.Rows) error {
		for rows.Next() {
			var id *int64
			var typ, entityID, name, context, forms, body, gmBody *string
			var aliases []string
			var gmOnly, textHit *bool
			if err := rows.Scan(&out.GM, &id, &typ, &entityID, &name, &aliases, &context, &gmOnly, &forms, &textHit, &body, &gmBody); err != nil {
				return err
			}
			out.Allowed = true
			if id == nil {
				continue
			}
			out.Candidates = append(out.Candidates, search.Candidate{DocID: *id, Type: *typ, ID: *entityID, Name: *name, Aliases: aliases,
				Context: *context, GMOnly: *gmOnly, Forms: *forms, TextHit: *textHit, Text: *body, GMText: *gmBody})
		}
		return rows.Err()
	})
	return out, interpretError(err)
}

// gatherQuery runs Gather's statement q and hands its rows to scan. The
// statement's best plan does not depend on its arguments (arrays and
// limits the planner cannot see into), but PostgreSQL would plan it
// afresh for every search, which costs more than running it; and the
// planner, unable to see how few rows the arrays hold, would estimate the
// generic plan past jit_above_cost and compile it. Outside InTx it
// therefore runs alone on the search pool, whose connections use cached
// generic plans and no JIT (see Open): one statement, one round trip.
// (It ran before as BEGIN, two SET LOCAL, the statement and COMMIT in one
// pipelined batch; the four extra statements cost the server about a
// tenth of a search.)
func (db *DB) gatherQuery(ctx context.Context, q string, args pgx.NamedArgs, scan func(pgx.Rows) error) error {
	qr := querier(db.search)
	if db.open != nil {
		qr = db.q
	}
	rows, err := qr.Query(ctx, q, args)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := scan(rows); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// tsQuery is the to_tsquery text of words: all of them, the last as a
// prefix when lastPrefix is set.
func tsQuery(words []string, lastPrefix bool) string {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = `'` + w + `'`
		if lastPrefix && i == len(words)-1 {
			terms[i] += ":*"
		}
	}
	return strings.Join(terms, " & ")
}

// SearchText asks the full-text indexes for documents holding every word;
// players' probes look at the body only.
func (db *DB) SearchText(ctx context.Context, p search.TextProbe) ([]int64, error) {
	args := pgx.NamedArgs{"query": tsQuery(p.Words, p.LastPrefix), "limit": p.Limit}
	cond := searchFilter(p.Filter, "d", args)
	return db.searchIDs(ctx, `SELECT d.doc_id FROM search_docs d WHERE `+cond+`
		AND (d.body_tsv @@ to_tsquery('simple', @query) OR (@gm AND d.gm_tsv @@ to_tsquery('simple', @query))) LIMIT @limit`, args)
}

// SearchTrigrams asks the pg_trgm index for the documents whose names are
// most like p.Text by word similarity. The threshold is set for this
// transaction only.
func (db *DB) SearchTrigrams(ctx context.Context, p search.TrigramProbe) ([]int64, error) {
	var out []int64
	err := db.readOnly(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, trigramThreshold); err != nil {
			return err
		}
		args := pgx.NamedArgs{"text": p.Text, "limit": p.Limit}
		cond := searchFilter(p.Filter, "d", args)
		var err error
		out, err = collectIDs(tx.Query(ctx, `SELECT d.doc_id FROM search_docs d WHERE `+cond+` AND d.names OPERATOR(public.%>) @text
			ORDER BY public.word_similarity(@text, d.names) DESC, d.doc_id LIMIT @limit`, args))
		return err
	})
	return out, interpretError(err)
}

func (db *DB) searchIDs(ctx context.Context, q string, args pgx.NamedArgs) ([]int64, error) {
	return collectIDs(db.reader(ctx).Query(ctx, q, args))
}

func collectIDs(rows pgx.Rows, err error) ([]int64, error) {
	if err != nil {
		return nil, interpretError(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, interpretError(err)
}

// SearchDocs loads candidates, with text only where the text probe
// matched (bounded: ranking reads no further).
func (db *DB) SearchDocs(ctx context.Context, p search.DocsProbe) ([]search.Candidate, error) {
	args := pgx.NamedArgs{"ids": p.IDs, "text_ids": p.TextIDs}
	cond := searchFilter(p.Filter, "d", args)
	rows, err := db.reader(ctx).Query(ctx, `SELECT d.doc_id, d.entity_type, d.entity_id, d.name, d.aliases, d.context, d.gm_only, d.forms,
			CASE WHEN d.doc_id = ANY(@text_ids::bigint[]) THEN left(d.body, 65536) ELSE '' END,
			CASE WHEN @gm AND d.doc_id = ANY(@text_ids::bigint[]) THEN left(d.gm_body, 65536) ELSE '' END
		FROM search_docs d WHERE d.doc_id = ANY(@ids::bigint[]) AND `+cond, args)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []search.Candidate
	for rows.Next() {
		var c search.Candidate
		if err := rows.Scan(&c.DocID, &c.Type, &c.ID, &c.Name, &c.Aliases, &c.Context, &c.GMOnly, &c.Forms, &c.Text, &c.GMText); err != nil {
			return nil, interpretError(err)
		}
		out = append(out, c)
	}
	return out, interpretError(rows.Err())
}

// indexLocations indexes the location id and every location below it,
// inside tx. A location's breadcrumb, and whether players see it, depend
// on its ancestors, so a rename, a change of visibility or a move changes
// the documents of the whole subtree.
//
// The ancestors are read FOR SHARE: a concurrent update of an ancestor
// (which reindexes this subtree itself) either commits first, and is read
// here, or waits for this transaction and then sees what it wrote. Without
// the lock a child created beside a parent's change to GM-only could be
// indexed as visible to players.
func indexLocations(ctx context.Context, tx pgx.Tx, id string) error {
	var campaignID, path string
	if err := tx.QueryRow(ctx, `SELECT campaign_id, path FROM locations WHERE id = $1`, id).Scan(&campaignID, &path); err != nil {
		return interpretError(err)
	}
	lo, hi := gmc.SubtreeRange(path)
	ids := strings.Split(strings.Trim(path, "/"), "/")
	ancestors, err := selectLocations(ctx, tx, `SELECT `+locationColumns+` FROM locations WHERE id = ANY($1::uuid[]) AND path < $2 ORDER BY path FOR SHARE`, ids[:len(ids)-1], lo)
	if err != nil {
		return err
	}
	subtree, err := selectLocations(ctx, tx, `SELECT `+locationColumns+` FROM locations WHERE campaign_id = $1 AND path >= $2 AND path < $3 ORDER BY path`, campaignID, lo, hi)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	for _, d := range search.LocationDocs(append(ancestors, subtree...), lo, hi) {
		queueIndexDoc(b, d)
	}
	return interpretError(tx.SendBatch(ctx, b).Close())
}

func selectLocations(ctx context.Context, tx pgx.Tx, q string, args ...any) ([]*gmc.Location, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, scanLocation)
}
