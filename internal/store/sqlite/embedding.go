package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/embedcache"
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

// NearestEmbeddings scores the campaign's vectors in Go, from the cache
// brought up to date by one statement (inside InTx, from every row and
// no cache: the transaction's rows are not committed). Who may see a
// document is read at each lookup, never cached.
func (db *DB) NearestEmbeddings(ctx context.Context, q store.EmbeddingQuery) ([]store.EmbeddingMatch, error) {
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
	rows, err := db.read.QueryContext(ctx, `SELECT doc_id FROM search_docs WHERE campaign_id = ? AND gm_only = 1`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, interpretError(err)
		}
		out[id] = true
	}
	return out, interpretError(rows.Err())
}

// readEmbeddings is the cache's ReadFunc (see embedcache.ReadFunc): one
// statement, so one snapshot, returns the clock (migration 00027), the
// count of the model's vectors and the rows. Its first row carries the
// clock and count even when no embedding row follows.
func (db *DB) readEmbeddings(ctx context.Context, campaignID, model string, since *int64, row func(embedcache.Row)) (embedcache.Mark, error) {
	head := `SELECT h.tick, h.n, e.owner_type, e.owner_id, coalesce(e.doc_id, 0), `
	from := ` FROM (SELECT (SELECT tick FROM embedding_clock) AS tick,
			(SELECT count(*) FROM embeddings WHERE campaign_id = ? AND model = ? AND vector IS NOT NULL) AS n) h `
	args := []any{campaignID, model}
	var query string
	if since == nil {
		query = head + `e.vector` + from + `LEFT JOIN embeddings e ON e.campaign_id = ? AND e.model = ? AND e.vector IS NOT NULL`
		args = append(args, campaignID, model)
	} else {
		// A row of another model, or one whose vector is not made yet, leaves the set.
		query = head + `CASE WHEN e.model = ? THEN e.vector END` + from + `LEFT JOIN embeddings e ON e.campaign_id = ? AND e.changed > ?`
		args = append([]any{model}, append(args, campaignID, *since)...)
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return embedcache.Mark{}, interpretError(err)
	}
	defer rows.Close()
	var mark embedcache.Mark
	for rows.Next() {
		var ownerType, ownerID sql.NullString
		var r embedcache.Row
		// RawBytes: the vector is decoded by the cache, not kept.
		var vector sql.RawBytes
		if err := rows.Scan(&mark.Cursor, &mark.Count, &ownerType, &ownerID, &r.DocID, &vector); err != nil {
			return embedcache.Mark{}, interpretError(err)
		}
		if ownerType.Valid {
			r.OwnerType, r.OwnerID, r.Vector = ownerType.String, ownerID.String, vector
			row(r)
		}
	}
	return mark, interpretError(rows.Err())
}
