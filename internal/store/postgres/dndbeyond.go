package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// PutDndBeyondLink inserts or replaces a character's link.
func (db *DB) PutDndBeyondLink(ctx context.Context, l *gmc.DndBeyondLink) error {
	if !isUUID(l.CharacterID) || !isUUID(l.CampaignID) || !isUUID(l.LinkedBy) {
		return gmc.ErrNotFound
	}
	doc := l.Document
	if doc == nil {
		doc = []byte{}
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO dndbeyond_links (character_id, campaign_id, dndbeyond_id, document, linked_by, synced_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (character_id) DO UPDATE SET campaign_id = excluded.campaign_id, dndbeyond_id = excluded.dndbeyond_id,
				document = excluded.document, linked_by = excluded.linked_by, synced_at = excluded.synced_at`,
			l.CharacterID, l.CampaignID, l.DndBeyondID, doc, l.LinkedBy, l.SyncedAt)
		return interpretError(err)
	})
}

// DndBeyondLink returns the link of a D&D Beyond character in a campaign.
func (db *DB) DndBeyondLink(ctx context.Context, campaignID string, dndbeyondID int64) (*gmc.DndBeyondLink, error) {
	if !isUUID(campaignID) {
		return nil, gmc.ErrNotFound
	}
	var l gmc.DndBeyondLink
	err := db.q.QueryRow(ctx, `SELECT character_id, campaign_id, dndbeyond_id, document, linked_by, synced_at FROM dndbeyond_links
		WHERE campaign_id = $1 AND dndbeyond_id = $2`, campaignID, dndbeyondID).Scan(&l.CharacterID, &l.CampaignID, &l.DndBeyondID, &l.Document, &l.LinkedBy, &l.SyncedAt)
	if err != nil {
		return nil, interpretError(err)
	}
	l.SyncedAt = l.SyncedAt.UTC()
	return &l, nil
}

// DndBeyondLinks lists links in character id order.
func (db *DB) DndBeyondLinks(ctx context.Context, f store.DndBeyondLinkFilter) ([]*gmc.DndBeyondLink, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	after := "00000000-0000-0000-0000-000000000000"
	if f.AfterCharacterID != "" {
		if !isUUID(f.AfterCharacterID) {
			return nil, gmc.Invalid("after", "must be a character id")
		}
		after = f.AfterCharacterID
	}
	q := `SELECT character_id, campaign_id, dndbeyond_id, linked_by, synced_at FROM dndbeyond_links WHERE character_id > $1`
	args := []any{after}
	if !f.SyncedBefore.IsZero() {
		q += ` AND synced_at < $2`
		args = append(args, f.SyncedBefore)
	}
	args = append(args, f.Limit)
	rows, err := db.q.Query(ctx, q+` ORDER BY character_id LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []*gmc.DndBeyondLink
	for rows.Next() {
		var l gmc.DndBeyondLink
		if err := rows.Scan(&l.CharacterID, &l.CampaignID, &l.DndBeyondID, &l.LinkedBy, &l.SyncedAt); err != nil {
			return nil, interpretError(err)
		}
		l.SyncedAt = l.SyncedAt.UTC()
		out = append(out, &l)
	}
	return out, interpretError(rows.Err())
}
