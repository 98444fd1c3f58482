package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/discord"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// DiscordWebhookPath names one Discord webhook in a path.
type DiscordWebhookPath struct {
	WebhookID string `path:"webhook_id" format:"uuid" doc:"Webhook id (gmc's, not Discord's)"`
}

// DiscordWebhookOutput answers with one webhook, never its token.
type DiscordWebhookOutput struct {
	Body *gmc.DiscordWebhook
}

// discordWebhookBody registers a webhook. The URL has no length or
// pattern in the schema: a schema error would echo the value, which holds
// the token; the service checks it and names the field without it.
type discordWebhookBody struct {
	CampaignID string `json:"campaign_id" format:"uuid"`
	URL        string `json:"url" doc:"The webhook URL Discord shows: https://discord.com/api/webhooks/{id}/{token}"`
	Name       string `json:"name" maxLength:"100" example:"#session-recaps"`
}

type discordWebhookCreateInput struct {
	Body discordWebhookBody
}

func (a *api) handleDiscordWebhookCreate(ctx context.Context, uid string, in *discordWebhookCreateInput) (*DiscordWebhookOutput, error) {
	w, err := a.svc.CreateDiscordWebhook(ctx, uid, service.DiscordWebhookParams{CampaignID: in.Body.CampaignID, URL: in.Body.URL, Name: in.Body.Name})
	if err != nil {
		return nil, err
	}
	return &DiscordWebhookOutput{Body: w}, nil
}

type discordWebhookListInput struct {
	CampaignID string `query:"campaign_id" format:"uuid" required:"true" doc:"Campaign whose webhooks to list"`
}

func (a *api) handleDiscordWebhookList(ctx context.Context, uid string, in *discordWebhookListInput) (*ListOutput[*gmc.DiscordWebhook], error) {
	items, err := a.svc.DiscordWebhooks(ctx, uid, in.CampaignID)
	if err != nil {
		return nil, err
	}
	return list(items, ""), nil
}

func (a *api) handleDiscordWebhookDelete(ctx context.Context, uid string, in *DiscordWebhookPath) (*struct{}, error) {
	return nil, a.svc.DeleteDiscordWebhook(ctx, uid, in.WebhookID)
}

// sessionDiscordPostBody is optional: without it (or its webhook_id) the
// campaign's only webhook is used.
type sessionDiscordPostBody struct {
	WebhookID string `json:"webhook_id,omitempty" format:"uuid" doc:"The webhook to post through; the campaign's only one when left out"`
}

type sessionDiscordPostInput struct {
	SessionPath
	Body *sessionDiscordPostBody
}

// JobStartedOutput answers an operation that queued a background job.
type JobStartedOutput struct {
	Body struct {
		JobID string `json:"job_id"`
	}
}

func (a *api) handleSessionDiscordPost(ctx context.Context, uid string, in *sessionDiscordPostInput) (*JobStartedOutput, error) {
	var webhookID string
	if in.Body != nil {
		webhookID = in.Body.WebhookID
	}
	id, err := a.svc.PostSessionToDiscord(ctx, uid, in.SessionID, webhookID)
	if err != nil {
		return nil, err
	}
	out := &JobStartedOutput{}
	out.Body.JobID = id
	return out, nil
}

// DiscordGuildsOutput lists the bot's guilds.
type DiscordGuildsOutput struct {
	Body struct {
		Items []discord.Guild `json:"items"`
	}
}

func (a *api) handleDiscordGuilds(ctx context.Context, uid string, _ *struct{}) (*DiscordGuildsOutput, error) {
	guilds, err := a.svc.DiscordGuilds(ctx, uid)
	if err != nil {
		return nil, err
	}
	out := &DiscordGuildsOutput{}
	out.Body.Items = guilds
	return out, nil
}
