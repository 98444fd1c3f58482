package gmc

import "time"

// DiscordWebhook is a Discord channel webhook a campaign's GM registered,
// so that session recaps can be posted there. The webhook's token is a
// credential (anyone holding it can post to the channel): it is kept only
// sealed (TokenSealed, encrypted with a key derived from the server's
// secret key, TokenKeyID naming that key) and is never sent or logged;
// TokenHint shows the GM which token it was without revealing it.
type DiscordWebhook struct {
	ID         string `json:"id"`
	CampaignID string `json:"campaign_id"`
	Name       string `json:"name"`
	// WebhookID is Discord's id (a snowflake) of the webhook.
	WebhookID   string `json:"webhook_id"`
	TokenHint   string `json:"token_hint"`
	TokenSealed []byte `json:"-"`
	TokenKeyID  string `json:"-"`
	// GoneAt is when Discord answered that the webhook no longer exists;
	// nothing is posted to it after that.
	GoneAt    *time.Time `json:"gone_at,omitempty"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
}

// MaxDiscordWebhookNameLen bounds the label a GM gives a webhook.
const MaxDiscordWebhookNameLen = 100

// DiscordPost records one message of a recap that Discord confirmed
// (posted with ?wait=true), so that a job tried again skips the parts
// already posted instead of posting them twice.
type DiscordPost struct {
	JobID     string
	SessionID string
	WebhookID string
	// Part counts the job's messages from 0.
	Part      int
	MessageID string
	PostedAt  time.Time
}
