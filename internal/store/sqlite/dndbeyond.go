package sqlite

import (
	"context"
	"database/sql"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// PutDndBeyondLink inserts or replaces a character's link.
func (db *DB) PutDndBeyondLink(ctx context.Context, l *gmc.DndBeyondLink) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO dndbeyond_links (character_id, campaign_id, dndbeyond_id, document, linked_by, synced_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (character_id) DO UPDATE SET campaign_id = excluded.campaign_id, dndbeyond_id = excluded.dndbeyond_id,
				document = excluded.document, linked_by = excluded.linked_by, synced_at = excluded.synced_at`,
			l.CharacterID, l.CampaignID, l.DndBeyondID, nonNilBytes(l.Document), l.LinkedBy, micros(l.SyncedAt))
		return interpretError(err)
	})
}

// DndBeyondLink returns the link of a D&D Beyond character in a campaign.
func (db *DB) DndBeyondLink(ctx context.Context, campaignID string, dndbeyondID int64) (*gmc.DndBeyondLink, error) {
	var l gmc.DndBeyondLink
	var synced int64
	err := db.read.QueryRowContext(ctx, `SELECT character_id, campaign_id, dndbeyond_id, document, linked_by, synced_at FROM dndbeyond_links
		WHERE campaign_id = ? AND dndbeyond_id = ?`, campaignID, dndbeyondID).Scan(&l.CharacterID, &l.CampaignID, &l.DndBeyondID, &l.Document, &l.LinkedBy, &synced)
	if err != nil {
		return nil, interpretError(err)
	}
	l.SyncedAt = fromMicros(synced)
	return &l, nil
}

// DndBeyondLinks lists links in character id order.
func (db *DB) DndBeyondLinks(ctx context.Context, f store.DndBeyondLinkFilter) ([]*gmc.DndBeyondLink, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q := `SELECT character_id, campaign_id, dndbeyond_id, linked_by, synced_at FROM dndbeyond_links WHERE character_id > ?`
	args := []any{f.AfterCharacterID}
	if !f.SyncedBefore.IsZero() {
		q += ` AND synced_at < ?`
		args = append(args, micros(f.SyncedBefore))
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY character_id LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, func(row interface{ Scan(...any) error }) (*gmc.DndBeyondLink, error) {
		var l gmc.DndBeyondLink
		var synced int64
		if err := row.Scan(&l.CharacterID, &l.CampaignID, &l.DndBeyondID, &l.LinkedBy, &synced); err != nil {
			return nil, interpretError(err)
		}
		l.SyncedAt = fromMicros(synced)
		return &l, nil
	})
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
