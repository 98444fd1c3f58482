package discord_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/discord"
	"github.com/gmc-project/gmc/internal/discord/discordtest"
)

const (
	hookID    = "1234567890123456789"
	hookToken = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefghijklmnopqrstuvwxyzABCD"
)

func TestParseWebhookURL(t *testing.T) {
	t.Parallel()
	good := []string{
		"https://discord.com/api/webhooks/" + hookID + "/" + hookToken,
		"https://discordapp.com/api/webhooks/" + hookID + "/" + hookToken,
		"https://ptb.discord.com/api/webhooks/" + hookID + "/" + hookToken,
		"https://canary.discordapp.com/api/webhooks/" + hookID + "/" + hookToken + "/",
		"https://discord.com/api/v10/webhooks/" + hookID + "/" + hookToken,
		"  https://DISCORD.com:443/api/webhooks/" + hookID + "/" + hookToken + " ",
	}
	for _, raw := range good {
		ref, err := discord.ParseWebhookURL(raw)
		if err != nil || ref.ID != hookID || ref.Token != hookToken {
			t.Errorf("ParseWebhookURL(%q) = %+v, %v; want id and token", raw, ref, err)
		}
	}
	bad := []struct{ name, url, want string }{
		{"http", "http://discord.com/api/webhooks/" + hookID + "/" + hookToken, "https"},
		{"other host", "https://evil.example/api/webhooks/" + hookID + "/" + hookToken, "discord.com"},
		{"lookalike host", "https://discord.com.evil.example/api/webhooks/" + hookID + "/" + hookToken, "discord.com"},
		{"user info", "https://x:y@discord.com/api/webhooks/" + hookID + "/" + hookToken, "user"},
		{"port", "https://discord.com:8443/api/webhooks/" + hookID + "/" + hookToken, "port"},
		{"query", "https://discord.com/api/webhooks/" + hookID + "/" + hookToken + "?wait=true", "query"},
		{"wrong path", "https://discord.com/api/channels/" + hookID + "/" + hookToken, "path"},
		{"no token", "https://discord.com/api/webhooks/" + hookID, "path"},
		{"extra segment", "https://discord.com/api/webhooks/" + hookID + "/" + hookToken + "/github", "path"},
		{"letters in id", "https://discord.com/api/webhooks/12ab/" + hookToken, "numeric"},
		{"zero id", "https://discord.com/api/webhooks/0000/" + hookToken, "numeric"},
		{"token charset", "https://discord.com/api/webhooks/" + hookID + "/abc%2Fdef", "token"},
		{"token dot", "https://discord.com/api/webhooks/" + hookID + "/abc.def", "token"},
		{"not a URL", "%%%", "URL"},
	}
	for _, tc := range bad {
		_, err := discord.ParseWebhookURL(tc.url)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ParseWebhookURL = %v, want an error about %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), hookToken) {
			t.Errorf("%s: the error repeats the token", tc.name)
		}
	}
}

// words is n words of prose with a paragraph break every 40 words.
func words(n int, word string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			if i%40 == 0 {
				b.WriteString(".\n\n")
			} else {
				b.WriteByte(' ')
			}
		}
		fmt.Fprintf(&b, "%s%d", word, i)
	}
	return b.String()
}

func TestPostMessagesWithinLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		post     discord.Post
		wantMsgs int // 0: more than one
	}{
		{"short", discord.Post{Title: "Session 1", Description: "The party met in a tavern.", Footer: "gmc"}, 1},
		{"empty", discord.Post{Title: "Session 2"}, 1},
		{"long description", discord.Post{Title: strings.Repeat("T", 300), Description: words(3000, "word"), Footer: "Session 3"}, 0},
		{"many fields", discord.Post{Title: "Fields", Fields: manyFields(80, 600)}, 0},
		{"huge field", discord.Post{Title: "One", Fields: []discord.EmbedField{{Name: "Alice", Value: words(900, "älvor")}}}, 0},
		{"no spaces", discord.Post{Title: "Blob", Description: strings.Repeat("x", 9000)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msgs := tc.post.Messages()
			if tc.wantMsgs > 0 && len(msgs) != tc.wantMsgs {
				t.Fatalf("%d messages, want %d", len(msgs), tc.wantMsgs)
			}
			if tc.wantMsgs == 0 && len(msgs) < 2 {
				t.Fatalf("%d messages, want the post split", len(msgs))
			}
			var desc, fields []string
			for i, m := range msgs {
				checkLimits(t, i, m)
				if m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
					t.Errorf("message %d: allowed_mentions %+v, want parse []", i, m.AllowedMentions)
				}
				for _, e := range m.Embeds {
					if e.Description != "" {
						desc = append(desc, e.Description)
					}
					for _, f := range e.Fields {
						fields = append(fields, f.Value)
					}
				}
				if len(msgs) > 1 {
					last := m.Embeds[len(m.Embeds)-1]
					if want := fmt.Sprintf("part %d/%d", i+1, len(msgs)); last.Footer == nil || !strings.HasSuffix(last.Footer.Text, want) {
						t.Errorf("message %d: footer %+v, want it to end %q", i, last.Footer, want)
					}
				}
			}
			// Nothing lost: the pieces put back together are the text, but
			// for whitespace.
			if got, want := squash(strings.Join(desc, " ")), squash(tc.post.Description); got != want {
				t.Errorf("descriptions joined differ from the description (%d vs %d characters)", len(got), len(want))
			}
			var wantFields []string
			for _, f := range tc.post.Fields {
				wantFields = append(wantFields, f.Value)
			}
			if got, want := squash(strings.Join(fields, " ")), squash(strings.Join(wantFields, " ")); got != want {
				t.Errorf("field values joined differ from the fields' values")
			}
			// Never mid-word when the text has spaces.
			if strings.Contains(tc.post.Description, " ") {
				for _, d := range desc {
					last := d[strings.LastIndexAny(d, " \n")+1:]
					if !strings.Contains(tc.post.Description, last+" ") && !strings.Contains(tc.post.Description, last+"\n") && !strings.HasSuffix(tc.post.Description, last) {
						t.Errorf("a piece ends mid-word: …%q", last)
					}
				}
			}
		})
	}
}

func manyFields(n, size int) []discord.EmbedField {
	out := make([]discord.EmbedField, n)
	for i := range out {
		out[i] = discord.EmbedField{Name: fmt.Sprintf("Speaker %d", i), Value: words(size/7, "w")}
	}
	return out
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }

// checkLimits checks a message against Discord's limits, counted here
// independently of package discord's own bookkeeping.
func checkLimits(t *testing.T, i int, m discord.Message) {
	t.Helper()
	n := func(s string) int { return len([]rune(strings.TrimSpace(s))) }
	if len(m.Embeds) == 0 || len(m.Embeds) > 10 {
		t.Errorf("message %d has %d embeds", i, len(m.Embeds))
	}
	total := 0
	for j, e := range m.Embeds {
		if n(e.Title) > 256 || n(e.Description) > 4096 || len(e.Fields) > 25 {
			t.Errorf("message %d embed %d over a limit: title %d, description %d, fields %d", i, j, n(e.Title), n(e.Description), len(e.Fields))
		}
		total += n(e.Title) + n(e.Description)
		for _, f := range e.Fields {
			if n(f.Name) > 256 || n(f.Value) > 1024 || n(f.Name) == 0 || n(f.Value) == 0 {
				t.Errorf("message %d embed %d: field of %d/%d characters", i, j, n(f.Name), n(f.Value))
			}
			total += n(f.Name) + n(f.Value)
		}
		if e.Footer != nil {
			total += n(e.Footer.Text)
		}
	}
	if total > 6000 {
		t.Errorf("message %d has %d characters in its embeds, over 6000", i, total)
	}
}

func newClient(t *testing.T, base string, logs *bytes.Buffer, adjust func(*discord.Config)) *discord.Client {
	t.Helper()
	cfg := discord.Config{BaseURL: base, BotToken: "bot-secret-token", Backoff: func(int) time.Duration { return time.Millisecond },
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if adjust != nil {
		adjust(&cfg)
	}
	c, err := discord.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestExecuteWebhook(t *testing.T) {
	t.Parallel()
	msg := discord.Post{Title: "Night one", Description: "@everyone the goblins <@123> attacked."}.Messages()[0]
	ref := discord.WebhookRef{ID: hookID, Token: hookToken}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// faults by execute request number
		faults   map[int]discordtest.Fault
		retries  int
		wantErr  error
		wantPerm bool
		wantReqs int
	}{
		{name: "ok", wantReqs: 1},
		{name: "route 429 sat out", faults: map[int]discordtest.Fault{1: {RetryAfter: 0.05}, 2: {RetryAfter: 0.02}}, wantReqs: 3},
		{name: "global 429 sat out", faults: map[int]discordtest.Fault{1: {RetryAfter: 0.05, Global: true}}, wantReqs: 2},
		{name: "5xx retried", faults: map[int]discordtest.Fault{1: {Status: 502}, 2: {Status: 500, Code: 0, Message: "oops"}}, wantReqs: 3},
		{name: "5xx given up", faults: map[int]discordtest.Fault{1: {Status: 503}, 2: {Status: 503}}, retries: 1, wantReqs: 2},
		{name: "400 not retried", faults: map[int]discordtest.Fault{1: {Status: 400, Code: 50035, Message: "Invalid Form Body"}}, wantPerm: true, wantReqs: 1},
		{name: "long 429 returned", faults: map[int]discordtest.Fault{1: {RetryAfter: 120}}, wantReqs: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := discordtest.New(t)
			srv.AddWebhook(hookID, hookToken)
			for n, f := range tc.faults {
				srv.FailExecute(n, f)
			}
			var logs bytes.Buffer
			c := newClient(t, srv.URL, &logs, func(c *discord.Config) {
				if tc.retries != 0 {
					c.ServerErrorRetries = tc.retries
				}
			})
			sent, err := c.ExecuteWebhook(ctx, ref, msg)
			if srv.Executes() != tc.wantReqs {
				t.Errorf("%d requests, want %d", srv.Executes(), tc.wantReqs)
			}
			if err != nil && strings.Contains(err.Error()+logs.String(), hookToken) {
				t.Errorf("the token leaked into the error or the log")
			}
			switch {
			case tc.name == "long 429 returned":
				var rl *discord.RateLimitError
				if !errors.As(err, &rl) || rl.RetryAfter != 120*time.Second {
					t.Fatalf("err = %v, want a RateLimitError of 120 s", err)
				}
			case tc.wantPerm:
				if !discord.Permanent(err) {
					t.Fatalf("err = %v, want a permanent error", err)
				}
			case tc.retries != 0:
				var ae *discord.APIError
				if !errors.As(err, &ae) || ae.Status != 503 || discord.Permanent(err) {
					t.Fatalf("err = %v, want a 503 APIError that is not permanent", err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				posted := srv.Posted()
				if len(posted) != 1 || posted[0].ID != sent.ID {
					t.Fatalf("posted %+v, sent %+v", posted, sent)
				}
			}
		})
	}
}

func TestExecuteWebhookGone(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	c := newClient(t, srv.URL, &bytes.Buffer{}, nil)
	_, err := c.ExecuteWebhook(context.Background(), discord.WebhookRef{ID: hookID, Token: hookToken}, discord.Post{Title: "x"}.Messages()[0])
	if !errors.Is(err, discord.ErrWebhookGone) || !discord.Permanent(err) {
		t.Fatalf("err = %v, want ErrWebhookGone", err)
	}
	if !strings.Contains(err.Error(), "Unknown Webhook") || strings.Contains(err.Error(), hookToken) {
		t.Errorf("err = %q: want Discord's message and no token", err)
	}
	srv.AddWebhook(hookID, "another-token-entirely-000000000000")
	_, err = c.ExecuteWebhook(context.Background(), discord.WebhookRef{ID: hookID, Token: hookToken}, discord.Post{Title: "x"}.Messages()[0])
	var ae *discord.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || ae.Code != 50027 || !discord.Permanent(err) {
		t.Fatalf("wrong token: err = %v, want 401 code 50027", err)
	}
}

// TestBucketRespected: a burst longer than the bucket waits for the
// reset that X-RateLimit-Remaining 0 announces instead of running into
// 429s (the server counts such a request as a problem).
func TestBucketRespected(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	srv.AddWebhook(hookID, hookToken)
	srv.SetBucket(2, 50*time.Millisecond)
	c := newClient(t, srv.URL, &bytes.Buffer{}, nil)
	for i := range 5 {
		if _, err := c.ExecuteWebhook(context.Background(), discord.WebhookRef{ID: hookID, Token: hookToken}, discord.Post{Title: fmt.Sprint(i)}.Messages()[0]); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.Posted()); n != 5 {
		t.Fatalf("%d posted, want 5", n)
	}
}

func TestGuilds(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	var guilds []discordtest.Guild
	for i := range 205 {
		guilds = append(guilds, discordtest.Guild{ID: fmt.Sprint(900000000000000000 + i), Name: fmt.Sprintf("Guild %d", i), Permissions: "2147483647"})
	}
	srv.SetBot("bot-secret-token", guilds)
	var logs bytes.Buffer
	got, err := newClient(t, srv.URL, &logs, nil).Guilds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 205 || got[0].Name != "Guild 0" || got[204].Name != "Guild 204" || got[3].Permissions != "2147483647" {
		t.Fatalf("got %d guilds (%+v…)", len(got), got[0])
	}
	_, err = newClient(t, srv.URL, &logs, func(c *discord.Config) { c.BotToken = "wrong" }).Guilds(context.Background())
	var ae *discord.APIError
	if !errors.As(err, &ae) || ae.Status != 401 {
		t.Fatalf("wrong bot token: err = %v, want 401", err)
	}
	_, err = newClient(t, srv.URL, &logs, func(c *discord.Config) { c.BotToken = "" }).Guilds(context.Background())
	if !errors.Is(err, discord.ErrNoBotToken) {
		t.Fatalf("no bot token: err = %v", err)
	}
	if strings.Contains(logs.String()+err.Error(), "bot-secret-token") {
		t.Error("the bot token leaked")
	}
}
