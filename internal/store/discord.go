package store

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// DiscordStore keeps a campaign's Discord webhooks (their tokens sealed)
// and the messages a recap job posted, so that the job tried again posts
// only what is missing.
type DiscordStore interface {
	// CreateDiscordWebhook inserts w and appends ev. ErrNotFound when its
	// campaign does not exist; ErrConflict when the campaign already has
	// a webhook with w's WebhookID.
	CreateDiscordWebhook(ctx context.Context, w *gmc.DiscordWebhook, ev *gmc.Event) error
	// DiscordWebhook returns the webhook with id, or ErrNotFound.
	DiscordWebhook(ctx context.Context, id string) (*gmc.DiscordWebhook, error)
	// DiscordWebhooks lists a campaign's webhooks in id (creation) order.
	DiscordWebhooks(ctx context.Context, campaignID string) ([]*gmc.DiscordWebhook, error)
	// MemberDiscordWebhooks is DiscordWebhooks for a GM of campaignID, with
	// userID's role: the list is empty unless userID is a GM. The
	// membership is read in the list's statement; only an empty list costs
	// a second one. ErrNotFound when userID is not a member.
	MemberDiscordWebhooks(ctx context.Context, userID, campaignID string) ([]*gmc.DiscordWebhook, gmc.Role, error)
	// DeleteDiscordWebhook removes the webhook with id and appends ev;
	// ErrNotFound.
	DeleteDiscordWebhook(ctx context.Context, id string, ev *gmc.Event) error
	// ResealDiscordWebhook replaces the sealed token of the webhook with
	// id when it is still sealed with oldKeyID (a key rotation; a
	// concurrent reseal wins). ErrNotFound.
	ResealDiscordWebhook(ctx context.Context, id, oldKeyID string, sealed []byte, keyID string) error
	// MarkDiscordWebhookGone records that Discord no longer knows the
	// webhook with id. ErrNotFound.
	MarkDiscordWebhookGone(ctx context.Context, id string, at time.Time) error
	// DiscordPosts lists the messages job jobID posted, by part.
	DiscordPosts(ctx context.Context, jobID string) ([]*gmc.DiscordPost, error)
	// AddDiscordPost records a posted message. ErrConflict when the job's
	// part is already recorded; ErrNotFound when its session or webhook
	// does not exist.
	AddDiscordPost(ctx context.Context, p *gmc.DiscordPost) error
}
