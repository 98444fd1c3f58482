package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/embedcache"
)

// queueMarkDocEmbedding adds to b the statement that marks the embedding
// of d pending when its text changed; it runs after d's upsert in the
// same batch. Reference entries belong to no campaign and get none.
func queueMarkDocEmbedding(b *pgx.Batch, d search.Document) {
	if d.Scope == search.ReferenceScope {
		return
	}
	b.Queue(`INSERT INTO embeddings (campaign_id, owner_type, owner_id, doc_id, source, updated_at)
		SELECT campaign_id, entity_type, entity_id, doc_id, $3, clock_timestamp() FROM search_docs WHERE entity_type = $1 AND entity_id = $2
		ON CONFLICT (owner_type, owner_id) DO UPDATE SET campaign_id = excluded.campaign_id, doc_id = excluded.doc_id,
			source = excluded.source, version = embeddings.version + 1, stale = true, updated_at = excluded.updated_at
		WHERE embeddings.source <> excluded.source`, d.Type, d.ID, search.EmbedText(d))
}

// markSegmentEmbeddings marks the new segments' embeddings pending.
func markSegmentEmbeddings(ctx context.Context, tx pgx.Tx, sessionID string, segs []*gmc.TranscriptSegment) error {
	var ids, texts []string
	for _, s := range segs {
		if strings.TrimSpace(s.Text) != "" {
			ids, texts = append(ids, s.ID), append(texts, s.Text)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO embeddings (campaign_id, owner_type, owner_id, segment_id, source, updated_at)
		SELECT g.campaign_id, $1, s.id, s.id::uuid, s.text, clock_timestamp()
		FROM game_sessions g, unnest($3::text[], $4::text[]) AS s(id, text) WHERE g.id = $2
		ON CONFLICT (owner_type, owner_id) DO UPDATE SET source = excluded.source, version = embeddings.version + 1,
			stale = true, updated_at = excluded.updated_at
		WHERE embeddings.source <> excluded.source`, store.EmbeddingSegment, sessionID, ids, texts)
	return interpretError(err)
}

// EmbeddingCampaigns lists campaigns with pending embeddings.
func (db *DB) EmbeddingCampaigns(ctx context.Context, limit int) ([]string, error) {
	rows, err := db.q.Query(ctx, `SELECT DISTINCT campaign_id::text FROM embeddings WHERE stale LIMIT $1`, limit)
	if err != nil {
		return nil, interpretError(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, interpretError(err)
}

// PendingEmbeddings returns a campaign's pending owners, oldest first.
func (db *DB) PendingEmbeddings(ctx context.Context, campaignID string, limit int) ([]store.EmbeddingSource, error) {
	rows, err := db.q.Query(ctx, `SELECT owner_type, owner_id, version, source FROM embeddings
		WHERE campaign_id = $1 AND stale ORDER BY updated_at, id LIMIT $2`, campaignID, limit)
	if err != nil {
		return nil, interpretError(err)
	}
	var out []store.EmbeddingSource
	for rows.Next() {
		var s store.EmbeddingSource
		if err := rows.Scan(&s.OwnerType, &s.OwnerID, &s.Version, &s.Text); err != nil {
			rows.Close()
			return nil, interpretError(err)
		}
		out = append(out, s)
	}
	return out, interpretError(rows.Err())
}

// PutEmbeddings stores vectors of the versions they were made from, in
// one statement.
func (db *DB) PutEmbeddings(ctx context.Context, model string, vecs []store.EmbeddingVector) (int, error) {
	if len(vecs) == 0 {
		return 0, nil
	}
	types, ids := make([]string, len(vecs)), make([]string, len(vecs))
	versions, dims := make([]int64, len(vecs)), make([]int32, len(vecs))
	blobs := make([][]byte, len(vecs))
	for i, v := range vecs {
		vec := append([]float32(nil), v.Vector...)
		search.Normalize(vec)
		types[i], ids[i], versions[i], dims[i], blobs[i] = v.OwnerType, v.OwnerID, v.Version, int32(len(vec)), search.EncodeVector(vec)
	}
	store.NoteWrite(ctx)
	tag, err := db.q.Exec(ctx, `UPDATE embeddings e SET model = $1, dims = u.dims, vector = u.vector, stale = false, updated_at = clock_timestamp()
		FROM unnest($2::text[], $3::text[], $4::bigint[], $5::int[], $6::bytea[]) AS u(owner_type, owner_id, version, dims, vector)
		WHERE e.owner_type = u.owner_type AND e.owner_id = u.owner_id AND e.version = u.version`,
		model, types, ids, versions, dims, blobs)
	if err != nil {
		return 0, interpretError(err)
	}
	return int(tag.RowsAffected()), nil
}

// MarkEmbeddingsStale marks pending the embeddings of another model.
func (db *DB) MarkEmbeddingsStale(ctx context.Context, model string) (int, error) {
	store.NoteWrite(ctx)
	tag, err := db.q.Exec(ctx, `UPDATE embeddings SET stale = true WHERE NOT stale AND model <> $1`, model)
	if err != nil {
		return 0, interpretError(err)
	}
	return int(tag.RowsAffected()), nil
}

// NearestEmbeddings scores the campaign's vectors in Go, from the cache
// brought up to date by one statement (inside InTx, from every row and
// no cache: the transaction's rows are not committed). Who may see a
// document is read at each lookup, never cached.
//
// It reads the primary, not a read replica: the cache's cursor must
// come from the database it is next compared with, and with the cache a
// lookup reads only what changed since the one before.
func (db *DB) NearestEmbeddings(ctx context.Context, q store.EmbeddingQuery) ([]store.EmbeddingMatch, error) {
	if !isUUID(q.CampaignID) {
		return nil, nil
	}
	vec := append([]float32(nil), q.Vector...)
	search.Normalize(vec)
	var hidden map[int64]bool
	if !q.GM {
		var err error
		if hidden, err = db.gmOnlyDocs(ctx, q.CampaignID); err != nil {
			return nil, err
		}
	}
	keep := func(m store.EmbeddingMatch) bool { return q.Admits(m, hidden) }
	read := func(ctx context.Context, since *int64, row func(embedcache.Row)) (embedcache.Mark, error) {
		return db.readEmbeddings(ctx, q.CampaignID, q.Model, since, row)
	}
	if db.open != nil {
		return embedcache.Nearest(ctx, read, vec, q.K, keep)
	}
	return db.vectors.Nearest(ctx, embedcache.Key{Campaign: q.CampaignID, Model: q.Model}, read, vec, q.K, keep)
}

// gmOnlyDocs returns the campaign's documents only its GM may see.
func (db *DB) gmOnlyDocs(ctx context.Context, campaignID string) (map[int64]bool, error) {
	rows, err := db.q.Query(ctx, `SELECT doc_id FROM search_docs WHERE campaign_id = $1 AND gm_only`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, interpretError(err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// readEmbeddings is the cache's ReadFunc (see embedcache.ReadFunc): one
// statement, so one snapshot, returns its oldest unfinished transaction
// (migration 00027) as the cursor, the count of the model's vectors and
// the rows. Its first row carries the cursor and count even when no
// embedding row follows.
func (db *DB) readEmbeddings(ctx context.Context, campaignID, model string, since *int64, row func(embedcache.Row)) (embedcache.Mark, error) {
	const head = `SELECT h.cursor, h.n, e.owner_type, e.owner_id, coalesce(e.doc_id, 0), `
	const from = ` FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS cursor,
			(SELECT count(*) FROM embeddings WHERE campaign_id = $1 AND model = $2 AND vector IS NOT NULL) AS n) h `
	query, args := head+`e.vector`+from+`LEFT JOIN embeddings e ON e.campaign_id = $1 AND e.model = $2 AND e.vector IS NOT NULL`,
		[]any{campaignID, model}
	if since != nil {
		// A row of another model, or whose vector is not made yet, leaves
		// the set.
		query = head + `CASE WHEN e.model = $2 THEN e.vector END` + from +
			`LEFT JOIN embeddings e ON e.campaign_id = $1 AND e.changed_xact >= $3::bigint::text::xid8`
		args = append(args, *since)
	}
	rows, err := db.q.Query(ctx, query, args...)
	if err != nil {
		return embedcache.Mark{}, interpretError(err)
	}
	defer rows.Close()
	var mark embedcache.Mark
	for rows.Next() {
		var ownerType, ownerID *string
		var r embedcache.Row
		// The raw bytes are decoded by the cache in place, not copied.
		vals := rows.RawValues()
		if err := rows.Scan(&mark.Cursor, &mark.Count, &ownerType, &ownerID, &r.DocID, nil); err != nil {
			return embedcache.Mark{}, interpretError(err)
		}
		if ownerType != nil {
			r.OwnerType, r.OwnerID, r.Vector = *ownerType, *ownerID, vals[5]
			row(r)
		}
	}
	return mark, interpretError(rows.Err())
}
