package service

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/discord"
	"github.com/gmc-project/gmc/internal/gmc"
)

// DiscordWebhookParams register a webhook: the URL Discord shows in the
// channel's integration settings, and a label for the GM.
type DiscordWebhookParams struct {
	CampaignID string
	URL        string
	Name       string
}

// maxWebhookURLLen bounds a pasted webhook URL (Discord's are about 120
// characters).
const maxWebhookURLLen = 512

// errNoDiscord refuses Discord features on a Service built without a client.
var errNoDiscord = gmc.Errorf(gmc.ErrUnavailable, "discord_unavailable", "this server has no Discord client configured")

// CreateDiscordWebhook registers a campaign's webhook. GM only. The URL
// must have the shape of a Discord webhook URL (https, a Discord host,
// /api/webhooks/{id}/{token}); its token is sealed before it is stored
// and never shown again, and no error repeats the URL.
func (s *Service) CreateDiscordWebhook(ctx context.Context, userID string, p DiscordWebhookParams) (*gmc.DiscordWebhook, error) {
	if _, err := s.access(ctx, p.CampaignID, userID, gmc.RoleGM); err != nil {
		return nil, err
	}
	var v gmc.Validator
	name := strings.TrimSpace(p.Name)
	v.Check(name != "" && utf8.RuneCountInString(name) <= gmc.MaxDiscordWebhookNameLen, "body.name", "must be 1 to 100 characters")
	var ref discord.WebhookRef
	if len(p.URL) > maxWebhookURLLen {
		v.Add("body.url", "must be at most %d characters", maxWebhookURLLen)
	} else if r, err := discord.ParseWebhookURL(p.URL); err != nil {
		v.Add("body.url", "%s", err.Error())
	} else {
		ref = r
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	w := &gmc.DiscordWebhook{ID: s.newID(), CampaignID: p.CampaignID, Name: name, WebhookID: ref.ID,
		TokenHint: discord.TokenHint(ref.Token), CreatedBy: userID, CreatedAt: s.clock()}
	var err error
	if w.TokenSealed, w.TokenKeyID, err = s.sealer.seal([]byte(ref.Token), webhookAAD(w)); err != nil {
		return nil, err
	}
	err = s.store.CreateDiscordWebhook(ctx, w, s.event(w.CampaignID, userID, gmc.ActionCreate, gmc.EntityDiscordWebhook, w.ID, nil, w))
	if errors.Is(err, gmc.ErrConflict) {
		return nil, gmc.Errorf(gmc.ErrConflict, "webhook_exists", "this Discord webhook is already registered in the campaign")
	}
	return w, err
}

// webhookAAD binds a sealed token to its row and campaign.
func webhookAAD(w *gmc.DiscordWebhook) []byte {
	return []byte("discord-webhook:" + w.CampaignID + ":" + w.ID)
}

// DiscordWebhooks lists a campaign's webhooks. GM only.
func (s *Service) DiscordWebhooks(ctx context.Context, userID, campaignID string) ([]*gmc.DiscordWebhook, error) {
	// The store reads the membership in the list's statement, which
	// returns rows to GMs only.
	list, role, err := s.store.MemberDiscordWebhooks(ctx, userID, campaignID)
	if err != nil {
		return nil, accessError(err)
	}
	if err := checkRole(role, gmc.RoleGM); err != nil {
		return nil, err
	}
	if list == nil {
		list = []*gmc.DiscordWebhook{}
	}
	return list, nil
}

// discordWebhook loads a webhook for a GM of its campaign; other people
// see it as not found.
func (s *Service) discordWebhook(ctx context.Context, userID, id string) (*gmc.DiscordWebhook, error) {
	w, err := s.store.DiscordWebhook(ctx, id)
	if err != nil {
		return nil, notFound(err, "webhook")
	}
	if _, err := s.access(ctx, w.CampaignID, userID, gmc.RoleGM); err != nil {
		if errors.Is(err, gmc.ErrNotFound) {
			return nil, notFound(err, "webhook")
		}
		return nil, err
	}
	return w, nil
}

// DeleteDiscordWebhook forgets a webhook. GM only.
func (s *Service) DeleteDiscordWebhook(ctx context.Context, userID, id string) error {
	w, err := s.discordWebhook(ctx, userID, id)
	if err != nil {
		return err
	}
	return notFound(s.store.DeleteDiscordWebhook(ctx, id, s.event(w.CampaignID, userID, gmc.ActionDelete, gmc.EntityDiscordWebhook, w.ID, w, nil)), "webhook")
}

// DiscordGuilds lists the guilds of the bot whose token the server has
// (GMC_DISCORD_BOT_TOKEN); ErrUnavailable without one.
func (s *Service) DiscordGuilds(ctx context.Context, userID string) ([]discord.Guild, error) {
	if s.discord == nil || !s.discord.HasBotToken() {
		return nil, gmc.Errorf(gmc.ErrUnavailable, "discord_bot_unavailable", "no Discord bot is configured on this server (GMC_DISCORD_BOT_TOKEN)")
	}
	guilds, err := s.discord.Guilds(ctx)
	var ae *discord.APIError
	var rl *discord.RateLimitError
	switch {
	case errors.As(err, &ae):
		return nil, gmc.Errorf(gmc.ErrUpstream, "discord_failed", "Discord did not list the bot's guilds: %d %s", ae.Status, ae.Message)
	case errors.As(err, &rl):
		return nil, &gmc.RateLimitError{RetryAfterSeconds: int(math.Ceil(rl.RetryAfter.Seconds()))}
	case errors.Is(err, context.Canceled):
		return nil, err
	case err != nil:
		// A transport error names the route, never the token.
		return nil, gmc.Errorf(gmc.ErrUpstream, "discord_failed", "Discord did not answer: %v", err)
	}
	if guilds == nil {
		guilds = []discord.Guild{}
	}
	return guilds, nil
}

// DiscordPostArgs is the job that posts a session's recap through a
// webhook. The recap is rendered when the job is queued and travels in
// the job, so that every try splits the same text into the same messages
// and the parts already posted (store.DiscordStore) stay the same parts.
type DiscordPostArgs struct {
	SessionID   string `json:"session_id"`
	WebhookID   string `json:"webhook_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Footer      string `json:"footer"`
}

// Kind names the job.
func (DiscordPostArgs) Kind() string { return "discord.post" }

// DiscordPostResult is what a finished post job shows.
type DiscordPostResult struct {
	Messages   int      `json:"messages"`
	Skipped    int      `json:"skipped"`
	MessageIDs []string `json:"message_ids"`
}

// PostSessionToDiscord queues a job that posts the session's player-safe
// recap through one of its campaign's webhooks (webhookID, or the
// campaign's only one when empty). GM only. It returns the job's id.
func (s *Service) PostSessionToDiscord(ctx context.Context, userID, sessionID, webhookID string) (string, error) {
	if s.discord == nil || s.jobs == nil {
		return "", errNoDiscord
	}
	gs, err := s.gmSession(ctx, userID, sessionID)
	if err != nil {
		return "", err
	}
	if err := s.requireFeature(ctx, gs.CampaignID, gmc.FeatureDiscord); err != nil {
		return "", err
	}
	w, err := s.pickWebhook(ctx, gs.CampaignID, webhookID)
	if err != nil {
		return "", err
	}
	return s.queueDiscordPost(ctx, gs, w, userID)
}

// pickWebhook is the campaign's webhook the post goes to.
func (s *Service) pickWebhook(ctx context.Context, campaignID, webhookID string) (*gmc.DiscordWebhook, error) {
	if webhookID == "" {
		list, err := s.store.DiscordWebhooks(ctx, campaignID)
		if err != nil {
			return nil, err
		}
		switch len(list) {
		case 0:
			return nil, gmc.Invalid("body.webhook_id", "the campaign has no Discord webhook; register one with POST /discord/webhooks")
		case 1:
			webhookID = list[0].ID
		default:
			return nil, gmc.Invalid("body.webhook_id", "is required: the campaign has %d Discord webhooks", len(list))
		}
	}
	w, err := s.store.DiscordWebhook(ctx, webhookID)
	if errors.Is(err, gmc.ErrNotFound) || (err == nil && w.CampaignID != campaignID) {
		return nil, gmc.Invalid("body.webhook_id", "is not a Discord webhook of the session's campaign")
	} else if err != nil {
		return nil, err
	}
	if w.GoneAt != nil {
		return nil, gmc.Errorf(gmc.ErrConflict, "webhook_gone", "Discord said on %s that this webhook no longer exists; register a new one", w.GoneAt.Format("2006-01-02"))
	}
	return w, nil
}

// queueDiscordPost renders the session's recap and queues its post.
func (s *Service) queueDiscordPost(ctx context.Context, gs *gmc.GameSession, w *gmc.DiscordWebhook, userID string) (string, error) {
	args, err := s.discordPostArgs(ctx, gs, w)
	if err != nil {
		return "", err
	}
	return s.jobs.Enqueue(ctx, args, discordPostOpts(gs, userID))
}

// discordPostArgs renders the session's recap into a post job's args.
func (s *Service) discordPostArgs(ctx context.Context, gs *gmc.GameSession, w *gmc.DiscordWebhook) (DiscordPostArgs, error) {
	recap, err := s.recaps.Recap(ctx, gs)
	if err != nil {
		return DiscordPostArgs{}, fmt.Errorf("recap of session %s: %w", gs.ID, err)
	}
	return DiscordPostArgs{SessionID: gs.ID, WebhookID: w.ID, Title: recap.Title, Description: recap.Text, Footer: recap.Footer}, nil
}

func discordPostOpts(gs *gmc.GameSession, userID string) gmc.JobOpts {
	return gmc.JobOpts{CampaignID: gs.CampaignID, SessionID: gs.ID, UserID: userID, GMOnly: true}
}

// RunDiscordPost does one try of a post job: it posts, in order, each
// message of the recap that the job has not posted yet, waiting for
// Discord to confirm each (?wait=true) and recording its message id
// before the next. A try that fails part-way leaves the parts posted so
// far recorded, and the next try starts after them. progress is told
// after each message.
//
// A webhook Discord no longer knows (404) is marked gone and the error
// wraps discord.ErrWebhookGone; discord.Permanent tells the caller that
// trying again cannot help.
func (s *Service) RunDiscordPost(ctx context.Context, jobID string, args DiscordPostArgs, progress func(done, total int)) (*DiscordPostResult, error) {
	if s.discord == nil {
		return nil, errNoDiscord
	}
	w, err := s.store.DiscordWebhook(ctx, args.WebhookID)
	if errors.Is(err, gmc.ErrNotFound) {
		return nil, fmt.Errorf("the webhook was deleted before the recap was posted: %w", discord.ErrWebhookGone)
	} else if err != nil {
		return nil, err
	}
	if w.GoneAt != nil {
		return nil, fmt.Errorf("webhook %q: %w", w.Name, discord.ErrWebhookGone)
	}
	token, err := s.webhookToken(ctx, w)
	if err != nil {
		return nil, err
	}
	msgs := discord.Post{Title: args.Title, Description: args.Description, Footer: args.Footer, Color: recapColor}.Messages()
	done, err := s.store.DiscordPosts(ctx, jobID)
	if err != nil {
		return nil, err
	}
	res := &DiscordPostResult{Messages: len(msgs), MessageIDs: make([]string, len(msgs))}
	for _, p := range done {
		if p.Part < len(msgs) {
			res.MessageIDs[p.Part] = p.MessageID
			res.Skipped++
		}
	}
	ref := discord.WebhookRef{ID: w.WebhookID, Token: token}
	for i, m := range msgs {
		if res.MessageIDs[i] != "" {
			continue
		}
		sent, err := s.discord.ExecuteWebhook(ctx, ref, m)
		if errors.Is(err, discord.ErrWebhookGone) {
			if merr := s.store.MarkDiscordWebhookGone(context.WithoutCancel(ctx), w.ID, s.clock()); merr != nil && !errors.Is(merr, gmc.ErrNotFound) {
				err = errors.Join(err, merr)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("post part %d of %d to webhook %q: %w", i+1, len(msgs), w.Name, err)
		}
		// Recorded even when ctx ends now: the message is on Discord, and
		// the next try must know it.
		post := &gmc.DiscordPost{JobID: jobID, Part: i, SessionID: args.SessionID, WebhookID: w.ID, MessageID: sent.ID, PostedAt: s.clock()}
		if err := s.store.AddDiscordPost(context.WithoutCancel(ctx), post); err != nil {
			return nil, fmt.Errorf("record part %d of %d: %w", i+1, len(msgs), err)
		}
		res.MessageIDs[i] = sent.ID
		if progress != nil {
			progress(i+1, len(msgs))
		}
	}
	return res, nil
}

// recapColor is the recaps' embed colour (Discord's blurple).
const recapColor = 0x5865F2

// webhookToken opens a webhook's sealed token, sealing it again with the
// current key when an older key sealed it (see sealer).
func (s *Service) webhookToken(ctx context.Context, w *gmc.DiscordWebhook) (string, error) {
	plain, err := s.sealer.open(w.TokenSealed, w.TokenKeyID, webhookAAD(w))
	if err != nil {
		return "", fmt.Errorf("webhook %q: token: %w", w.Name, err)
	}
	if w.TokenKeyID != s.sealer.currentID {
		sealed, keyID, err := s.sealer.seal(plain, webhookAAD(w))
		if err == nil {
			err = s.store.ResealDiscordWebhook(ctx, w.ID, w.TokenKeyID, sealed, keyID)
		}
		if err != nil {
			// The token opened; posting goes on, and the next use tries again.
			s.log.WarnContext(ctx, "webhook token not sealed again with the current key", "webhook", w.ID, "error", err.Error())
		}
	}
	return string(plain), nil
}
