package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
)

// AddCampaignUsage adds to a campaign's counts of a month. One upsert:
// the single writer makes it atomic, and the month's first spending makes
// its row.
func (db *DB) AddCampaignUsage(ctx context.Context, campaignID, month string, add gmc.Usage) (gmc.Usage, error) {
	var total gmc.Usage
	err := db.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO campaign_usage (campaign_id, month, ai_tokens, audio_ms) VALUES (?, ?, ?, ?)
			ON CONFLICT (campaign_id, month) DO UPDATE SET ai_tokens = ai_tokens + excluded.ai_tokens, audio_ms = audio_ms + excluded.audio_ms
			RETURNING ai_tokens, audio_ms`, campaignID, month, add.AITokens, add.AudioMS).Scan(&total.AITokens, &total.AudioMS)
	})
	return total, err
}

// CampaignUsage reads a campaign's counts of a month.
func (db *DB) CampaignUsage(ctx context.Context, campaignID, month string) (gmc.Usage, error) {
	var u gmc.Usage
	err := db.read.QueryRowContext(ctx, `SELECT ai_tokens, audio_ms FROM campaign_usage WHERE campaign_id = ? AND month = ?`,
		campaignID, month).Scan(&u.AITokens, &u.AudioMS)
	if errors.Is(err, sql.ErrNoRows) {
		return gmc.Usage{}, nil
	}
	return u, interpretError(err)
}
