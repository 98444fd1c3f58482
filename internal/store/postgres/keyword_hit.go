package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const keywordHitColumns = `id, session_id, segment_id, seq, kind, term_key, name, category, source, ref, span_start, span_end,
	surface, confidence, reason, gm_only, merged, rule_values, characters, created_at`

func scanKeywordHit(row pgx.Row) (*gmc.KeywordHit, error) {
	var h gmc.KeywordHit
	var values []byte
	if err := row.Scan(&h.ID, &h.SessionID, &h.SegmentID, &h.Seq, &h.Kind, &h.TermKey, &h.Name, &h.Category, &h.Source, &h.Ref,
		&h.Span[0], &h.Span[1], &h.Surface, &h.Confidence, &h.Reason, &h.GMOnly, &h.Merged, &values, &h.Characters, &h.CreatedAt); err != nil {
		return nil, interpretError(err)
	}
	h.Values = values
	if len(h.Characters) == 0 {
		h.Characters = nil // both backends read "none" alike
	}
	h.CreatedAt = h.CreatedAt.UTC()
	return &h, nil
}

// CreateKeywordHits stores a batch of hits in one transaction and one
// round trip.
func (db *DB) CreateKeywordHits(ctx context.Context, hits []*gmc.KeywordHit) error {
	if len(hits) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		// The campaign's key-share lock first, as every write of campaign
		// data takes it, so that a campaign deletion waits rather than
		// deadlocks with the foreign-key checks below.
		if err := lockSessionCampaign(ctx, tx, hits[0].SessionID); err != nil {
			return err
		}
		var batch pgx.Batch
		for _, h := range hits {
			batch.Queue(`INSERT INTO keyword_hits (`+keywordHitColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
				h.ID, h.SessionID, h.SegmentID, h.Seq, h.Kind, h.TermKey, h.Name, h.Category, h.Source, h.Ref, h.Span[0], h.Span[1],
				h.Surface, h.Confidence, h.Reason, h.GMOnly, h.Merged, jsonArg(h.Values), nonNil(h.Characters), h.CreatedAt)
		}
		if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
			return interpretError(err)
		}
		return indexMentions(ctx, tx, hits)
	})
}

// KeywordHits lists a session's hits in id order.
func (db *DB) KeywordHits(ctx context.Context, f store.KeywordHitFilter) ([]*gmc.KeywordHit, string, error) {
	f.Page = f.Page.Normalize()
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", err
	}
	if !isUUID(f.SessionID) {
		return nil, "", nil
	}
	q := `SELECT ` + keywordHitColumns + ` FROM keyword_hits WHERE session_id = @session`
	args := pgx.NamedArgs{"session": f.SessionID, "limit": f.Page.Limit + 1}
	if f.Page.Cursor != "" {
		q, args["cursor"] = q+` AND id > @cursor`, f.Page.Cursor
	}
	if f.Kind != "" {
		q, args["kind"] = q+` AND kind = @kind`, f.Kind
	}
	if f.HideGMOnly {
		q += ` AND NOT gm_only`
	}
	rows, err := db.q.Query(ctx, q+` ORDER BY id LIMIT @limit`, args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanKeywordHit)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(h *gmc.KeywordHit) string { return h.ID })
	return out, next, nil
}
