package service_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/discord"
	"github.com/gmc-project/gmc/internal/discord/discordtest"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// queued is a job queue that only remembers what it was given.
type queued struct {
	mu   sync.Mutex
	jobs []gmc.JobArgs
}

func (q *queued) Enqueue(_ context.Context, args gmc.JobArgs, _ gmc.JobOpts) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, args)
	return "job-" + args.Kind(), nil
}

func (q *queued) EnqueueTx(ctx context.Context, _ store.Store, args gmc.JobArgs, opts gmc.JobOpts) (string, error) {
	return q.Enqueue(ctx, args, opts)
}

func (q *queued) Job(context.Context, string) (*gmc.Job, error) { return nil, gmc.ErrNotFound }

func (q *queued) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.jobs)
}

// failingRecaps cannot read any session's recap.
type failingRecaps struct{ err error }

func (r failingRecaps) Recap(context.Context, *gmc.GameSession) (service.Recap, error) {
	return service.Recap{}, r.err
}

// discordService is a service on tb's store that speaks to Discord at
// baseURL with botToken, queueing jobs on q (none when nil).
func discordService(t *testing.T, tb *table, baseURL, botToken string, q service.Jobs) *service.Service {
	t.Helper()
	dc, err := discord.New(discord.Config{BaseURL: baseURL, BotToken: botToken, ServerErrorRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Discord: dc, Jobs: q,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestDiscordGuildsFailures: how Discord failing to list the bot's guilds
// reaches the caller — as Discord's failure, never with the bot's token —
// and that a bot in no guild lists none.
func TestDiscordGuildsFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	fake := discordtest.New(t)
	const bot = "the-real-bot-token"
	fake.SetBot(bot, nil)
	gone := httptest.NewServer(nil)
	gone.Close()

	// Discord limiting the bot for longer than a request waits: the
	// caller is told when to come back.
	limiting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"message":"You are being rate limited.","retry_after":120.5,"global":false}`))
	}))
	defer limiting.Close()
	_, err := discordService(t, tb, limiting.URL+"/api/v10", bot, nil).DiscordGuilds(ctx, tb.gm.ID)
	var rl *gmc.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfterSeconds != 121 {
		t.Errorf("guilds while Discord limits the bot = %v, want to retry after 121 s", err)
	}

	if g, err := discordService(t, tb, fake.URL, bot, nil).DiscordGuilds(ctx, tb.gm.ID); err != nil || g == nil || len(g) != 0 {
		t.Errorf("guilds of a bot in none = %#v, %v; want an empty list", g, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		base    string
		token   string
		kind    error
		message string
	}{
		{"token Discord refuses", ctx, fake.URL, "a-revoked-bot-token", gmc.ErrUpstream, "401"},
		{"Discord unreachable", ctx, gone.URL, "a-secret-bot-token", gmc.ErrUpstream, "did not answer"},
		{"caller gone", cancelled, fake.URL, bot, context.Canceled, ""},
	} {
		_, err := discordService(t, tb, tc.base, tc.token, nil).DiscordGuilds(tc.ctx, tb.gm.ID)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.message) || strings.Contains(err.Error(), tc.token) {
			t.Errorf("%s: error = %v, want %v saying %q without the token", tc.name, err, tc.kind, tc.message)
		}
	}
}

// TestDiscordPostPicksWebhook: a post goes to the webhook named, or the
// campaign's only one; otherwise it is refused before anything is queued.
// A post job whose webhook was deleted or is gone fails as gone.
func TestDiscordPostPicksWebhook(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	fake := discordtest.New(t)
	fake.AddWebhook("1300000000000000001", "tok1300000000000000001")
	q := &queued{}
	svc := discordService(t, tb, fake.URL, "", q)
	gm, cid := tb.gm.ID, tb.campaign.ID
	hook := func(campaignID, id string) *gmc.DiscordWebhook {
		return ok(svc.CreateDiscordWebhook(ctx, gm, service.DiscordWebhookParams{CampaignID: campaignID, Name: "Recaps " + id,
			URL: "https://discord.com/api/webhooks/" + id + "/tok" + id}))(t)
	}
	other := ok(svc.CreateCampaign(ctx, gm, service.CampaignParams{Name: "Elsewhere"}))(t)
	elsewhere := hook(other.ID, "1300000000000000003")

	// Without a job queue nothing can be posted.
	if _, err := discordService(t, tb, fake.URL, "", nil).PostSessionToDiscord(ctx, gm, tb.session.ID, ""); !errors.Is(err, gmc.ErrUnavailable) {
		t.Errorf("post without a queue = %v, want unavailable", err)
	}
	first := hook(cid, "1300000000000000001")
	if _, err := svc.PostSessionToDiscord(ctx, gm, tb.session.ID, ""); err != nil {
		t.Errorf("post to the only webhook = %v", err)
	}
	// A recap that cannot be read queues nothing.
	unreadable := errors.New("the transcript cannot be read")
	dc, err := discord.New(discord.Config{BaseURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	noRecap, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Discord: dc, Jobs: q,
		Recaps: failingRecaps{unreadable}, PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noRecap.PostSessionToDiscord(ctx, gm, tb.session.ID, first.ID); !errors.Is(err, unreadable) {
		t.Errorf("post of an unreadable recap = %v, want the recap's failure", err)
	}
	hook(cid, "1300000000000000002")
	for name, webhookID := range map[string]string{"none named of two": "", "another campaign's": elsewhere.ID, "unknown": tb.ids.next()} {
		_, err := svc.PostSessionToDiscord(ctx, gm, tb.session.ID, webhookID)
		wantField(t, err, "body.webhook_id")
		if err == nil {
			t.Errorf("%s webhook: post queued", name)
		}
	}
	if q.count() != 1 {
		t.Errorf("%d jobs queued, want the one of the only webhook", q.count())
	}

	args := service.DiscordPostArgs{SessionID: tb.session.ID, WebhookID: first.ID, Title: "Arrival", Description: "The mists part."}
	// A server without a Discord client runs no post job.
	if _, err := tb.svc.RunDiscordPost(ctx, "job-0", args, nil); !errors.Is(err, gmc.ErrUnavailable) {
		t.Errorf("post job on a server without Discord = %v, want unavailable", err)
	}
	if _, err := discordService(t, tb, fake.URL, "", nil).RunDiscordPost(ctx, "job-1", args, nil); err != nil {
		t.Errorf("post through a known webhook = %v", err)
	}
	if err := tb.st.MarkDiscordWebhookGone(ctx, first.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RunDiscordPost(ctx, "job-2", args, nil); !errors.Is(err, discord.ErrWebhookGone) {
		t.Errorf("post through a gone webhook = %v, want ErrWebhookGone", err)
	}
	// Nor does a gone webhook take the campaign's automatic posts.
	camp := ok(svc.Campaign(ctx, gm, cid))(t)
	settings := camp.Settings
	settings.DiscordAutoPostWebhookID = first.ID
	_, err = svc.UpdateCampaign(ctx, gm, cid, service.CampaignUpdate{Settings: &settings})
	wantField(t, err, "body.settings.discord_auto_post_webhook_id")
	if err := svc.DeleteDiscordWebhook(ctx, gm, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RunDiscordPost(ctx, "job-3", args, nil); !errors.Is(err, discord.ErrWebhookGone) {
		t.Errorf("post through a deleted webhook = %v, want ErrWebhookGone", err)
	}
	if n := len(fake.Posted()); n != 1 {
		t.Errorf("%d messages on Discord, want the one of the known webhook", n)
	}
}
