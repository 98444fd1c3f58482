package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

const discordWebhookColumns = `id, campaign_id, name, webhook_id, token_hint, token_sealed, token_key_id, gone_at, created_by, created_at`

func scanDiscordWebhook(row pgx.Row) (*gmc.DiscordWebhook, error) {
	var w gmc.DiscordWebhook
	if err := row.Scan(&w.ID, &w.CampaignID, &w.Name, &w.WebhookID, &w.TokenHint, &w.TokenSealed, &w.TokenKeyID, &w.GoneAt,
		&w.CreatedBy, &w.CreatedAt); err != nil {
		return nil, interpretError(err)
	}
	w.CreatedAt = w.CreatedAt.UTC()
	if w.GoneAt != nil {
		at := w.GoneAt.UTC()
		w.GoneAt = &at
	}
	return &w, nil
}

// CreateDiscordWebhook inserts w.
func (db *DB) CreateDiscordWebhook(ctx context.Context, w *gmc.DiscordWebhook, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, w.CampaignID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO discord_webhooks (`+discordWebhookColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			w.ID, w.CampaignID, w.Name, w.WebhookID, w.TokenHint, w.TokenSealed, w.TokenKeyID, w.GoneAt, w.CreatedBy, w.CreatedAt)
		if err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// DiscordWebhook returns the webhook with id.
func (db *DB) DiscordWebhook(ctx context.Context, id string) (*gmc.DiscordWebhook, error) {
	return scanDiscordWebhook(db.q.QueryRow(ctx, `SELECT `+discordWebhookColumns+` FROM discord_webhooks WHERE id = $1`, id))
}

// DiscordWebhooks lists a campaign's webhooks in id order.
func (db *DB) DiscordWebhooks(ctx context.Context, campaignID string) ([]*gmc.DiscordWebhook, error) {
	if !isUUID(campaignID) {
		return nil, nil
	}
	rows, err := db.q.Query(ctx, `SELECT `+discordWebhookColumns+` FROM discord_webhooks WHERE campaign_id = $1 ORDER BY id`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, scanDiscordWebhook)
}

// MemberDiscordWebhooks lists a campaign's webhooks for userID, a GM,
// with userID's role, read by the list's statement.
func (db *DB) MemberDiscordWebhooks(ctx context.Context, userID, campaignID string) ([]*gmc.DiscordWebhook, gmc.Role, error) {
	if !isUUID(campaignID) || !isUUID(userID) {
		return nil, "", gmc.ErrNotFound
	}
	m, err := db.memberScope(ctx, campaignMember(campaignID, userID), false)
	if err != nil {
		return nil, "", err
	}
	return memberList(ctx, db, m, `SELECT `+discordWebhookColumns+`, (SELECT role FROM me) FROM discord_webhooks
		WHERE (SELECT role FROM me) = 'gm' AND campaign_id = @campaign ORDER BY id`, scanDiscordWebhook)
}

// DeleteDiscordWebhook removes the webhook with id.
func (db *DB) DeleteDiscordWebhook(ctx context.Context, id string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM discord_webhooks WHERE id = $1`, id)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(tag); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// ResealDiscordWebhook replaces a token sealed with oldKeyID.
func (db *DB) ResealDiscordWebhook(ctx context.Context, id, oldKeyID string, sealed []byte, keyID string) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM discord_webhooks WHERE id = $1`, id).Scan(&n); err != nil {
			return interpretError(err)
		}
		if n == 0 {
			return gmc.ErrNotFound
		}
		_, err := tx.Exec(ctx, `UPDATE discord_webhooks SET token_sealed = $1, token_key_id = $2 WHERE id = $3 AND token_key_id = $4`,
			sealed, keyID, id, oldKeyID)
		return interpretError(err)
	})
}

// MarkDiscordWebhookGone records that Discord no longer knows the webhook.
func (db *DB) MarkDiscordWebhookGone(ctx context.Context, id string, at time.Time) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE discord_webhooks SET gone_at = coalesce(gone_at, $1) WHERE id = $2`, at, id)
		if err != nil {
			return interpretError(err)
		}
		return mustAffect(tag)
	})
}

// DiscordPosts lists the messages a job posted, by part.
func (db *DB) DiscordPosts(ctx context.Context, jobID string) ([]*gmc.DiscordPost, error) {
	rows, err := db.q.Query(ctx, `SELECT job_id, part, session_id, webhook_id, message_id, posted_at
		FROM discord_posts WHERE job_id = $1 ORDER BY part`, jobID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, func(row pgx.Row) (*gmc.DiscordPost, error) {
		var p gmc.DiscordPost
		if err := row.Scan(&p.JobID, &p.Part, &p.SessionID, &p.WebhookID, &p.MessageID, &p.PostedAt); err != nil {
			return nil, interpretError(err)
		}
		p.PostedAt = p.PostedAt.UTC()
		return &p, nil
	})
}

// AddDiscordPost records a posted message.
func (db *DB) AddDiscordPost(ctx context.Context, p *gmc.DiscordPost) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO discord_posts (job_id, part, session_id, webhook_id, message_id, posted_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, p.JobID, p.Part, p.SessionID, p.WebhookID, p.MessageID, p.PostedAt)
		return interpretError(err)
	})
}
