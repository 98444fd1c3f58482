package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
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

// NearestEmbeddings scores every visible vector of the campaign in Go.
func (db *DB) NearestEmbeddings(ctx context.Context, q store.EmbeddingQuery) ([]store.EmbeddingMatch, error) {
	vec := append([]float32(nil), q.Vector...)
	search.Normalize(vec)
	rows, err := db.reader(ctx).Query(ctx, `SELECT e.owner_type, e.owner_id, coalesce(e.doc_id, 0), e.vector
		FROM embeddings e LEFT JOIN search_docs d ON d.doc_id = e.doc_id
		WHERE e.campaign_id = $1 AND e.model = $2 AND e.dims = $3 AND e.vector IS NOT NULL
			AND (e.segment_id IS NOT NULL OR $4 OR NOT d.gm_only)
			AND (cardinality($5::text[]) = 0 OR e.owner_type = ANY($5::text[]))`,
		q.CampaignID, q.Model, len(vec), q.GM, nonNil(q.Types))
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	best := search.NewNearest[store.EmbeddingMatch](q.K)
	for rows.Next() {
		var m store.EmbeddingMatch
		// The raw bytes are scored in place, not copied: the scan of a
		// campaign's vectors is the cost of a lookup.
		vals := rows.RawValues()
		if err := rows.Scan(&m.OwnerType, &m.OwnerID, &m.DocID, nil); err != nil {
			return nil, interpretError(err)
		}
		best.Offer(m, search.Dot(vec, vals[3]))
	}
	if err := rows.Err(); err != nil {
		return nil, interpretError(err)
	}
	items, sims := best.Best()
	for i := range items {
		items[i].Similarity = sims[i]
	}
	return items, nil
}
