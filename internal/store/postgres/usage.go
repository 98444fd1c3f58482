package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

// AddCampaignUsage adds to a campaign's counts of a month. One upsert, so
// instances adding at once all count: the row lock serialises them.
func (db *DB) AddCampaignUsage(ctx context.Context, campaignID, month string, add gmc.Usage) (gmc.Usage, error) {
	var total gmc.Usage
	if !isUUID(campaignID) {
		return total, gmc.ErrNotFound
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO campaign_usage (campaign_id, month, ai_tokens, audio_ms) VALUES ($1, $2, $3, $4)
			ON CONFLICT (campaign_id, month) DO UPDATE SET ai_tokens = campaign_usage.ai_tokens + EXCLUDED.ai_tokens,
				audio_ms = campaign_usage.audio_ms + EXCLUDED.audio_ms
			RETURNING ai_tokens, audio_ms`, campaignID, month, add.AITokens, add.AudioMS).Scan(&total.AITokens, &total.AudioMS)
	})
	return total, err
}

// CampaignUsage reads a campaign's counts of a month.
func (db *DB) CampaignUsage(ctx context.Context, campaignID, month string) (gmc.Usage, error) {
	var u gmc.Usage
	if !isUUID(campaignID) {
		return u, nil
	}
	err := db.q.QueryRow(ctx, `SELECT ai_tokens, audio_ms FROM campaign_usage WHERE campaign_id = $1 AND month = $2`,
		campaignID, month).Scan(&u.AITokens, &u.AudioMS)
	if errors.Is(err, pgx.ErrNoRows) {
		return gmc.Usage{}, nil
	}
	return u, interpretError(err)
}
