package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// markDocEmbedding marks the embedding of the document docID pending
// when its text changed, inside the transaction that indexed it.
// Reference entries belong to no campaign and get none.
func markDocEmbedding(ctx context.Context, tx *sql.Tx, docID int64, d search.Document) error {
	if d.Scope == search.ReferenceScope {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO embeddings (campaign_id, owner_type, owner_id, doc_id, source, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (owner_type, owner_id) DO UPDATE SET campaign_id = excluded.campaign_id, doc_id = excluded.doc_id,
			source = excluded.source, version = embeddings.version + 1, stale = 1, updated_at = excluded.updated_at
		WHERE embeddings.source <> excluded.source`,
		d.Scope, d.Type, d.ID, docID, search.EmbedText(d), micros(time.Now()))
	return interpretError(err)
}

// markSegmentEmbeddings marks the new segments' embeddings pending.
func markSegmentEmbeddings(ctx context.Context, tx *sql.Tx, sessionID string, segs []*gmc.TranscriptSegment) error {
	now := micros(time.Now())
	for _, s := range segs {
		if !hasText(s.Text) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO embeddings (campaign_id, owner_type, owner_id, segment_id, source, updated_at)
			SELECT campaign_id, ?, ?, ?, ?, ? FROM game_sessions WHERE id = ?
			ON CONFLICT (owner_type, owner_id) DO UPDATE SET source = excluded.source, version = embeddings.version + 1,
				stale = 1, updated_at = excluded.updated_at
			WHERE embeddings.source <> excluded.source`,
			store.EmbeddingSegment, s.ID, s.ID, s.Text, now, sessionID); err != nil {
			return interpretError(err)
		}
	}
	return nil
}

func hasText(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			return true
		}
	}
	return false
}

// EmbeddingCampaigns lists campaigns with pending embeddings.
func (db *DB) EmbeddingCampaigns(ctx context.Context, limit int) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT campaign_id FROM embeddings WHERE stale = 1 LIMIT ?`, limit)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, interpretError(err)
		}
		out = append(out, id)
	}
	return out, interpretError(rows.Err())
}

// PendingEmbeddings returns a campaign's pending owners, oldest first.
func (db *DB) PendingEmbeddings(ctx context.Context, campaignID string, limit int) ([]store.EmbeddingSource, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT owner_type, owner_id, version, source FROM embeddings
		WHERE campaign_id = ? AND stale = 1 ORDER BY updated_at, id LIMIT ?`, campaignID, limit)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []store.EmbeddingSource
	for rows.Next() {
		var s store.EmbeddingSource
		if err := rows.Scan(&s.OwnerType, &s.OwnerID, &s.Version, &s.Text); err != nil {
			return nil, interpretError(err)
		}
		out = append(out, s)
	}
	return out, interpretError(rows.Err())
}

// PutEmbeddings stores vectors of the versions they were made from.
func (db *DB) PutEmbeddings(ctx context.Context, model string, vecs []store.EmbeddingVector) (int, error) {
	n := 0
	err := db.tx(ctx, func(tx *sql.Tx) error {
		now := micros(time.Now())
		for _, v := range vecs {
			vec := append([]float32(nil), v.Vector...)
			search.Normalize(vec)
			res, err := tx.ExecContext(ctx, `UPDATE embeddings SET model = ?, dims = ?, vector = ?, stale = 0, updated_at = ?
				WHERE owner_type = ? AND owner_id = ? AND version = ?`,
				model, len(vec), search.EncodeVector(vec), now, v.OwnerType, v.OwnerID, v.Version)
			if err != nil {
				return interpretError(err)
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	return n, err
}

// MarkEmbeddingsStale marks pending the embeddings of another model.
func (db *DB) MarkEmbeddingsStale(ctx context.Context, model string) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE embeddings SET stale = 1 WHERE stale = 0 AND model <> ?`, model)
		if err != nil {
			return interpretError(err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// NearestEmbeddings scores every visible vector of the campaign in Go.
func (db *DB) NearestEmbeddings(ctx context.Context, q store.EmbeddingQuery) ([]store.EmbeddingMatch, error) {
	vec := append([]float32(nil), q.Vector...)
	search.Normalize(vec)
	rows, err := db.read.QueryContext(ctx, `SELECT e.owner_type, e.owner_id, coalesce(e.doc_id, 0), e.vector
		FROM embeddings e LEFT JOIN search_docs d ON d.doc_id = e.doc_id
		WHERE e.campaign_id = ? AND e.model = ? AND e.dims = ? AND e.vector IS NOT NULL
			AND (e.segment_id IS NOT NULL OR ? OR d.gm_only = 0)
			AND (? = 0 OR e.owner_type IN (SELECT value FROM json_each(?)))`,
		q.CampaignID, q.Model, len(vec), q.GM, len(q.Types), jsonArray(q.Types))
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	best := search.NewNearest[store.EmbeddingMatch](q.K)
	var blob []byte
	for rows.Next() {
		var m store.EmbeddingMatch
		if err := rows.Scan(&m.OwnerType, &m.OwnerID, &m.DocID, &blob); err != nil {
			return nil, interpretError(err)
		}
		best.Offer(m, search.Dot(vec, blob))
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
