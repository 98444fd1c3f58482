package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

const discordWebhookColumns = `id, campaign_id, name, webhook_id, token_hint, token_sealed, token_key_id, gone_at, created_by, created_at`

func scanDiscordWebhook(row interface{ Scan(...any) error }) (*gmc.DiscordWebhook, error) {
	var w gmc.DiscordWebhook
	var created int64
	var gone sql.NullInt64
	if err := row.Scan(&w.ID, &w.CampaignID, &w.Name, &w.WebhookID, &w.TokenHint, &w.TokenSealed, &w.TokenKeyID, &gone,
		&w.CreatedBy, &created); err != nil {
		return nil, interpretError(err)
	}
	w.CreatedAt, w.GoneAt = fromMicros(created), fromNullMicros(gone)
	return &w, nil
}

// CreateDiscordWebhook inserts w.
func (db *DB) CreateDiscordWebhook(ctx context.Context, w *gmc.DiscordWebhook, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO discord_webhooks (`+discordWebhookColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			w.ID, w.CampaignID, w.Name, w.WebhookID, w.TokenHint, w.TokenSealed, w.TokenKeyID, nullMicros(w.GoneAt), w.CreatedBy, micros(w.CreatedAt))
		if err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// DiscordWebhook returns the webhook with id.
func (db *DB) DiscordWebhook(ctx context.Context, id string) (*gmc.DiscordWebhook, error) {
	return scanDiscordWebhook(db.read.QueryRowContext(ctx, `SELECT `+discordWebhookColumns+` FROM discord_webhooks WHERE id = ?`, id))
}

// DiscordWebhooks lists a campaign's webhooks in id order.
func (db *DB) DiscordWebhooks(ctx context.Context, campaignID string) ([]*gmc.DiscordWebhook, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+discordWebhookColumns+` FROM discord_webhooks WHERE campaign_id = ? ORDER BY id`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, scanDiscordWebhook)
}

// MemberDiscordWebhooks lists a campaign's webhooks for userID, a GM,
// with userID's role, read by the list's statement.
func (db *DB) MemberDiscordWebhooks(ctx context.Context, userID, campaignID string) ([]*gmc.DiscordWebhook, gmc.Role, error) {
	return memberList(ctx, db, campaignMember(campaignID, userID), `SELECT `+discordWebhookColumns+`, (SELECT role FROM me) FROM discord_webhooks
		WHERE (SELECT role FROM me) = 'gm' AND campaign_id = ? ORDER BY id`, []any{campaignID}, scanDiscordWebhook)
}

// DeleteDiscordWebhook removes the webhook with id.
func (db *DB) DeleteDiscordWebhook(ctx context.Context, id string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM discord_webhooks WHERE id = ?`, id)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// ResealDiscordWebhook replaces a token sealed with oldKeyID.
func (db *DB) ResealDiscordWebhook(ctx context.Context, id, oldKeyID string, sealed []byte, keyID string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM discord_webhooks WHERE id = ?`, id).Scan(&n); err != nil {
			return interpretError(err)
		}
		if n == 0 {
			return gmc.ErrNotFound
		}
		_, err := tx.ExecContext(ctx, `UPDATE discord_webhooks SET token_sealed = ?, token_key_id = ? WHERE id = ? AND token_key_id = ?`,
			sealed, keyID, id, oldKeyID)
		return interpretError(err)
	})
}

// MarkDiscordWebhookGone records that Discord no longer knows the webhook.
func (db *DB) MarkDiscordWebhookGone(ctx context.Context, id string, at time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE discord_webhooks SET gone_at = coalesce(gone_at, ?) WHERE id = ?`, micros(at), id)
		if err != nil {
			return interpretError(err)
		}
		return mustAffect(res)
	})
}

// DiscordPosts lists the messages a job posted, by part.
func (db *DB) DiscordPosts(ctx context.Context, jobID string) ([]*gmc.DiscordPost, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT job_id, part, session_id, webhook_id, message_id, posted_at
		FROM discord_posts WHERE job_id = ? ORDER BY part`, jobID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, func(row interface{ Scan(...any) error }) (*gmc.DiscordPost, error) {
		var p gmc.DiscordPost
		var at int64
		if err := row.Scan(&p.JobID, &p.Part, &p.SessionID, &p.WebhookID, &p.MessageID, &at); err != nil {
			return nil, interpretError(err)
		}
		p.PostedAt = fromMicros(at)
		return &p, nil
	})
}

// AddDiscordPost records a posted message.
func (db *DB) AddDiscordPost(ctx context.Context, p *gmc.DiscordPost) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO discord_posts (job_id, part, session_id, webhook_id, message_id, posted_at)
			VALUES (?, ?, ?, ?, ?, ?)`, p.JobID, p.Part, p.SessionID, p.WebhookID, p.MessageID, micros(p.PostedAt))
		return interpretError(err)
	})
}
