package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const keywordHitColumns = `id, session_id, segment_id, seq, kind, term_key, name, category, source, ref, span_start, span_end,
	surface, confidence, reason, gm_only, merged, rule_values, characters, created_at`

func scanKeywordHit(row interface{ Scan(...any) error }) (*gmc.KeywordHit, error) {
	var h gmc.KeywordHit
	var values sql.NullString
	var characters string
	var created int64
	if err := row.Scan(&h.ID, &h.SessionID, &h.SegmentID, &h.Seq, &h.Kind, &h.TermKey, &h.Name, &h.Category, &h.Source, &h.Ref,
		&h.Span[0], &h.Span[1], &h.Surface, &h.Confidence, &h.Reason, &h.GMOnly, &h.Merged, &values, &characters, &created); err != nil {
		return nil, interpretError(err)
	}
	if values.Valid {
		h.Values = json.RawMessage(values.String)
	}
	if err := json.Unmarshal([]byte(characters), &h.Characters); err != nil {
		return nil, err
	}
	if len(h.Characters) == 0 {
		h.Characters = nil // both backends read "none" alike
	}
	h.CreatedAt = fromMicros(created)
	return &h, nil
}

// CreateKeywordHits stores a batch of hits in one transaction.
func (db *DB) CreateKeywordHits(ctx context.Context, hits []*gmc.KeywordHit) error {
	if len(hits) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO keyword_hits (`+keywordHitColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return interpretError(err)
		}
		defer stmt.Close()
		for _, h := range hits {
			characters, err := json.Marshal(nonNil(h.Characters))
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, h.ID, h.SessionID, h.SegmentID, h.Seq, h.Kind, h.TermKey, h.Name, h.Category, h.Source, h.Ref,
				h.Span[0], h.Span[1], h.Surface, h.Confidence, h.Reason, h.GMOnly, h.Merged, nullJSON(h.Values), string(characters),
				micros(h.CreatedAt)); err != nil {
				return interpretError(err)
			}
		}
		return indexMentions(ctx, tx, hits)
	})
}

// KeywordHits lists a session's hits in id order.
func (db *DB) KeywordHits(ctx context.Context, f store.KeywordHitFilter) ([]*gmc.KeywordHit, string, error) {
	f.Page = f.Page.Normalize()
	q := `SELECT ` + keywordHitColumns + ` FROM keyword_hits WHERE session_id = ? AND id > ?`
	args := []any{f.SessionID, f.Page.Cursor}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.HideGMOnly {
		q += ` AND gm_only = 0`
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, append(args, f.Page.Limit+1)...)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collectRows(rows, scanKeywordHit)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(h *gmc.KeywordHit) string { return h.ID })
	return out, next, nil
}
