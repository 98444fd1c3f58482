package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/discord/discordtest"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/testenv"
)

const (
	hookID    = "1234567890123456789"
	hookToken = "Sx9-TOKEN_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefghijklmnopqrstu"
	botToken  = "MTA-bot.token_secret-value"
)

func hookURL(host string) string {
	return "https://" + host + "/api/webhooks/" + hookID + "/" + hookToken
}

// syncBuffer collects log lines written from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// discordBackends are the databases the Discord tests run on.
var discordBackends = []struct {
	name string
	cfg  func(t *testing.T) config.Config
}{
	{"sqlite", func(t *testing.T) config.Config { return config.Config{DataDir: t.TempDir()} }},
	{"postgres", func(t *testing.T) config.Config {
		return config.Config{DataDir: t.TempDir(), DatabaseURL: testenv.PostgresSchema(t)}
	}},
}

// discordInstance is the real server pointed at a loopback Discord, its
// whole log (debug level) kept for the tests to search.
type discordInstance struct {
	*instance
	logs *syncBuffer
	// seen collects every answer body, searched for the token at the end.
	seen *syncBuffer
}

func startDiscordInstance(t *testing.T, cfg config.Config, secret string, previous ...string) *discordInstance {
	t.Helper()
	cfg.SecretKey = secret
	cfg.PreviousSecretKeys = previous
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.LogLevel = "debug"
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(context.Background(), cfg, log, "test", app.WithJobConfig(func(c *jobs.Config) {
		c.PollInterval = 50 * time.Millisecond
		c.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
	}))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	in := &instance{t: t, app: a, srv: srv, base: srv.URL + "/api/v1"}
	t.Cleanup(in.stop)
	return &discordInstance{instance: in, logs: logs, seen: &syncBuffer{}}
}

// req makes a request and returns its status and raw body, which it also
// keeps for the token checks.
func (d *discordInstance) req(method, path, token string, body any) (int, []byte) {
	d.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, _ := http.NewRequest(method, d.base+path, rd)
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	fmt.Fprintf(d.seen, "%s %s\n", res.Header, raw)
	return res.StatusCode, raw
}

func (d *discordInstance) json(want int, method, path, token string, body any) map[string]any {
	d.t.Helper()
	status, raw := d.req(method, path, token, body)
	if status != want {
		d.t.Fatalf("%s %s = %d %s, want %d", method, path, status, raw, want)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// noSecrets fails when a webhook or bot token shows in any answer or log line.
func (d *discordInstance) noSecrets() {
	d.t.Helper()
	for what, text := range map[string]string{"an answer": d.seen.String(), "the log": d.logs.String()} {
		for _, secret := range []string{hookToken, botToken} {
			if strings.Contains(text, secret) {
				d.t.Errorf("a token shows in %s", what)
			}
		}
	}
	if !strings.Contains(d.logs.String(), "request") {
		d.t.Error("the log caught nothing; the check above proves nothing")
	}
}

// awaitJob polls the job until it has finished.
func (d *discordInstance) awaitJob(id, token string) map[string]any {
	d.t.Helper()
	for range 600 {
		j := d.json(200, "GET", "/jobs/"+id, token, nil)
		switch j["state"] {
		case "succeeded", "failed", "cancelled":
			return j
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.t.Fatalf("job %s did not finish", id)
	return nil
}

// discordTable is a campaign with a GM and a player, and a session.
type discordTable struct {
	campaign, session string
	gm, player        string
}

func (d *discordInstance) setUp() discordTable {
	d.t.Helper()
	var tb discordTable
	_, tb.gm = d.signUp("gm@example.com")
	_, tb.player = d.signUp("player@example.com")
	tb.campaign = d.json(201, "POST", "/campaigns", tb.gm, map[string]any{"name": "Barovia"})["id"].(string)
	code := d.json(201, "POST", "/campaigns/"+tb.campaign+"/invites", tb.gm, map[string]any{"role": "player"})["code"].(string)
	d.json(200, "POST", "/invites/"+code+"/accept", tb.player, nil)
	tb.session = d.json(201, "POST", "/campaigns/"+tb.campaign+"/sessions", tb.gm, map[string]any{"title": "Into the Mists", "scheduled_at": "2026-12-01T19:00:00Z"})["id"].(string)
	return tb
}

// TestDiscordWebhooks registers, lists and deletes webhooks over HTTP on
// both databases: a URL of the wrong shape is refused naming body.url, and
// the token is in no answer and no log line.
func TestDiscordWebhooks(t *testing.T) {
	t.Parallel()
	for _, b := range discordBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t)
			cfg := b.cfg(t)
			cfg.DiscordAPIURL = fake.URL
			d := startDiscordInstance(t, cfg, strings.Repeat("s", 32))
			tb := d.setUp()
			_, outsider := d.signUp("outsider@example.com")
			hooks := "/discord/webhooks"

			bad := []struct{ name, url, field string }{
				{"http", "http://discord.com/api/webhooks/" + hookID + "/" + hookToken, "body.url"},
				{"foreign host", "https://discord.evil.example/api/webhooks/" + hookID + "/" + hookToken, "body.url"},
				{"not a webhook path", "https://discord.com/api/channels/" + hookID + "/" + hookToken, "body.url"},
				{"id not numeric", "https://discord.com/api/webhooks/abc/" + hookToken, "body.url"},
				{"token charset", "https://discord.com/api/webhooks/" + hookID + "/" + hookToken + "$", "body.url"},
				{"with query", hookURL("discord.com") + "?wait=true", "body.url"},
				{"too long", hookURL("discord.com") + strings.Repeat("a", 600), "body.url"},
				{"empty", "", "body.url"},
			}
			for _, tc := range bad {
				status, raw := d.req("POST", hooks, tb.gm, map[string]any{"campaign_id": tb.campaign, "url": tc.url, "name": "recaps"})
				var p struct {
					Errors []struct{ Location string } `json:"errors"`
				}
				_ = json.Unmarshal(raw, &p)
				if status != 422 || len(p.Errors) != 1 || p.Errors[0].Location != tc.field {
					t.Errorf("%s: %d %s, want 422 naming %s", tc.name, status, raw, tc.field)
				}
			}
			if status, raw := d.req("POST", hooks, tb.gm, map[string]any{"campaign_id": tb.campaign, "url": hookURL("discord.com"), "name": " "}); status != 422 || !strings.Contains(string(raw), "body.name") {
				t.Errorf("blank name: %d %s, want 422 naming body.name", status, raw)
			}
			body := map[string]any{"campaign_id": tb.campaign, "url": hookURL("canary.discordapp.com"), "name": "#recaps"}
			if status, _ := d.req("POST", hooks, tb.player, body); status != 403 {
				t.Errorf("player registers: %d, want 403", status)
			}
			if status, _ := d.req("POST", hooks, outsider, body); status != 404 {
				t.Errorf("outsider registers: %d, want 404", status)
			}
			if list := d.json(200, "GET", hooks+"?campaign_id="+tb.campaign, tb.gm, nil)["items"].([]any); len(list) != 0 {
				t.Fatalf("refused registrations left %d webhooks", len(list))
			}

			w := d.json(201, "POST", hooks, tb.gm, body)
			if w["webhook_id"] != hookID || w["name"] != "#recaps" || w["campaign_id"] != tb.campaign || w["token_hint"] != "…"+hookToken[len(hookToken)-4:] {
				t.Errorf("created = %v", w)
			}
			for _, k := range []string{"token", "url", "token_sealed", "token_key_id"} {
				if _, ok := w[k]; ok {
					t.Errorf("created webhook shows %q", k)
				}
			}
			if status, raw := d.req("POST", hooks, tb.gm, body); status != 409 || !strings.Contains(string(raw), "webhook_exists") {
				t.Errorf("same webhook again: %d %s, want 409 webhook_exists", status, raw)
			}
			list := d.json(200, "GET", hooks+"?campaign_id="+tb.campaign, tb.gm, nil)["items"].([]any)
			if len(list) != 1 || list[0].(map[string]any)["id"] != w["id"] {
				t.Errorf("list = %v", list)
			}
			if status, _ := d.req("GET", hooks+"?campaign_id="+tb.campaign, tb.player, nil); status != 403 {
				t.Errorf("player lists: %d, want 403", status)
			}
			if status, _ := d.req("GET", hooks, tb.gm, nil); status != 422 {
				t.Errorf("list without campaign_id: %d, want 422", status)
			}
			// The audit log shows the webhook, not its token.
			d.json(200, "GET", "/campaigns/"+tb.campaign+"/events?entity_type=discord_webhook", tb.gm, nil)
			if status, _ := d.req("DELETE", hooks+"/"+w["id"].(string), outsider, nil); status != 404 {
				t.Errorf("outsider deletes: %d, want 404", status)
			}
			d.json(204, "DELETE", hooks+"/"+w["id"].(string), tb.gm, nil)
			d.json(404, "DELETE", hooks+"/"+w["id"].(string), tb.gm, nil)
			if list := d.json(200, "GET", hooks+"?campaign_id="+tb.campaign, tb.gm, nil)["items"].([]any); len(list) != 0 {
				t.Errorf("after delete: %v", list)
			}
			if fake.Executes() != 0 {
				t.Errorf("registering posted %d messages", fake.Executes())
			}
			d.noSecrets()
		})
	}
}

// segmentTexts is a long table talk: more than one Discord message of
// recap, with mentions in it that must ping no one.
func segmentTexts(n int) []any {
	var segs []any
	for i := range n {
		text := fmt.Sprintf("Line %d: the party walks through the mists toward Vallaki, and Ismark tells of the burgomaster's fear while the wolves howl in the pines.", i)
		if i%10 == 0 {
			text += " @everyone <@123456789012345678> look out!"
		}
		segs = append(segs, map[string]any{"speaker_label": fmt.Sprintf("SPEAKER_%02d", i%3), "start_ms": i * 1000, "end_ms": i*1000 + 900, "text": text})
	}
	return segs
}

// TestDiscordPost posts a long recap over HTTP on both databases through
// a loopback Discord that rate-limits a route, then everything (global),
// fails once with a 5xx and drops the connection on a later part: the job
// waits out the limits, retries, and in the end every part is on Discord
// exactly once, in order, each within Discord's limits and pinging no one.
func TestDiscordPost(t *testing.T) {
	t.Parallel()
	for _, b := range discordBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t)
			fake.AddWebhook(hookID, hookToken)
			cfg := b.cfg(t)
			cfg.DiscordAPIURL = fake.URL
			d := startDiscordInstance(t, cfg, strings.Repeat("s", 32))
			tb := d.setUp()
			d.json(200, "POST", "/sessions/"+tb.session+"/start", tb.gm, nil)
			// The session stays live: it has no summary, so the recap is the
			// opening of its transcript (a summary's recap is shorter).
			d.json(201, "POST", "/sessions/"+tb.session+"/transcript/segments", tb.gm, map[string]any{"segments": segmentTexts(100)})
			post := "/sessions/" + tb.session + "/discord/post"

			if status, raw := d.req("POST", post, tb.gm, map[string]any{}); status != 422 || !strings.Contains(string(raw), "body.webhook_id") {
				t.Errorf("post without a webhook: %d %s, want 422 naming body.webhook_id", status, raw)
			}
			w := d.json(201, "POST", "/discord/webhooks", tb.gm, map[string]any{"campaign_id": tb.campaign, "url": hookURL("discord.com"), "name": "recaps"})
			if status, _ := d.req("POST", post, tb.player, nil); status != 403 {
				t.Errorf("player posts: %d, want 403", status)
			}

			// Part 1 waits out its route's 429; part 2 loses its connection
			// (the job's first try fails after part 1 was posted), and on the
			// next try waits out the global limit and a 502.
			fake.FailExecute(1, discordtest.Fault{RetryAfter: 0.2})
			fake.FailExecute(3, discordtest.Fault{Drop: true})
			fake.FailExecute(4, discordtest.Fault{RetryAfter: 0.1, Global: true})
			fake.FailExecute(5, discordtest.Fault{Status: 502, Message: "Bad Gateway"})
			job := d.json(202, "POST", post, tb.gm, map[string]any{"webhook_id": w["id"]})["job_id"].(string)
			j := d.awaitJob(job, tb.gm)
			if j["state"] != "succeeded" {
				t.Fatalf("job = %v", j)
			}
			if j["attempt"] != float64(2) {
				t.Errorf("job attempt = %v, want 2 (the dropped connection failed the first)", j["attempt"])
			}
			posted := fake.Posted()
			res := j["result"].(map[string]any)
			ids := res["message_ids"].([]any)
			if len(posted) < 3 || res["messages"] != float64(len(posted)) || len(ids) != len(posted) || res["skipped"] != float64(1) {
				t.Fatalf("posted %d messages; result %v", len(posted), res)
			}
			for i, p := range posted {
				if p.ID != ids[i] {
					t.Errorf("message %d: id %s, result says %v", i, p.ID, ids[i])
				}
				es := p.Message.Embeds
				footer := es[len(es)-1].Footer
				if want := fmt.Sprintf("part %d/%d", i+1, len(posted)); footer == nil || !strings.HasSuffix(footer.Text, want) {
					t.Errorf("message %d: footer %+v, want …%s (each part once, in order)", i, footer, want)
				}
			}
			if got := posted[0].Message.Embeds[0].Title; got != "Session 1: Into the Mists" {
				t.Errorf("first title = %q", got)
			}
			var text strings.Builder
			for _, p := range posted {
				for _, e := range p.Message.Embeds {
					text.WriteString(e.Description + "\n")
				}
			}
			started, err := time.Parse(time.RFC3339, d.json(200, "GET", "/sessions/"+tb.session, tb.gm, nil)["started_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Played " + started.Format("2 January 2006"), "SPEAKER_00: Line 0:", "@everyone <@123456789012345678>"} {
				if !strings.Contains(text.String(), want) {
					t.Errorf("the recap lacks %q", want)
				}
			}
			// 1 route 429 + 1 drop + 1 global 429 + 1 502 + the messages.
			if got, want := fake.Executes(), len(posted)+4; got != want {
				t.Errorf("%d execute requests, want %d", got, want)
			}
			d.noSecrets()
		})
	}
}

// TestDiscordPostGone: a webhook Discord does not know fails the job at
// once with Discord's message (no retry loop against a 404), and is
// marked gone so that no later post is queued for it.
func TestDiscordPostGone(t *testing.T) {
	t.Parallel()
	for _, b := range discordBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t)
			cfg := b.cfg(t)
			cfg.DiscordAPIURL = fake.URL
			d := startDiscordInstance(t, cfg, strings.Repeat("s", 32))
			tb := d.setUp()
			w := d.json(201, "POST", "/discord/webhooks", tb.gm, map[string]any{"campaign_id": tb.campaign, "url": hookURL("discord.com"), "name": "recaps"})
			post := "/sessions/" + tb.session + "/discord/post"
			job := d.json(202, "POST", post, tb.gm, nil)["job_id"].(string)
			j := d.awaitJob(job, tb.gm)
			if j["state"] != "failed" || !strings.Contains(fmt.Sprint(j["error"]), "Unknown Webhook") || strings.Contains(fmt.Sprint(j["error"]), "JobCancel") {
				t.Fatalf("job = %v, want failed with Discord's Unknown Webhook", j)
			}
			if j["attempt"] != float64(1) || fake.Executes() != 1 {
				t.Errorf("attempts %v, requests %d: want one of each", j["attempt"], fake.Executes())
			}
			list := d.json(200, "GET", "/discord/webhooks?campaign_id="+tb.campaign, tb.gm, nil)["items"].([]any)
			if list[0].(map[string]any)["gone_at"] == nil {
				t.Errorf("webhook not marked gone: %v", list[0])
			}
			if status, raw := d.req("POST", post, tb.gm, map[string]any{"webhook_id": w["id"]}); status != 409 || !strings.Contains(string(raw), "webhook_gone") {
				t.Errorf("post to a gone webhook: %d %s, want 409 webhook_gone", status, raw)
			}
			time.Sleep(200 * time.Millisecond) // a retry, were there one, would have come by now
			if fake.Executes() != 1 {
				t.Errorf("%d requests after the 404, want 1", fake.Executes())
			}
			d.noSecrets()
		})
	}
}

// TestDiscordGuilds lists the bot's guilds through the loopback Discord,
// and answers 503 naming the setting when no bot token is configured.
func TestDiscordGuilds(t *testing.T) {
	t.Parallel()
	for _, b := range discordBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t)
			fake.SetBot(botToken, []discordtest.Guild{
				{ID: "800000000000000002", Name: "Tavern", Permissions: "536870912", Features: []any{}},
				{ID: "800000000000000001", Name: "Barovia", Owner: true, Permissions: "2147483647", Features: []any{"COMMUNITY"}},
			})
			cfg := b.cfg(t)
			cfg.DiscordAPIURL = fake.URL
			cfg.DiscordBotToken = botToken
			d := startDiscordInstance(t, cfg, strings.Repeat("s", 32))
			_, tok := d.signUp("gm@example.com")
			items := d.json(200, "GET", "/discord/guilds", tok, nil)["items"].([]any)
			if len(items) != 2 {
				t.Fatalf("guilds = %v", items)
			}
			first := items[0].(map[string]any)
			if first["id"] != "800000000000000001" || first["name"] != "Barovia" || first["owner"] != true || first["permissions"] != "2147483647" {
				t.Errorf("first guild = %v", first)
			}
			if status, _ := d.req("GET", "/discord/guilds", "", nil); status != 401 {
				t.Errorf("without a login: %d, want 401", status)
			}
			d.noSecrets()

			cfg2 := b.cfg(t)
			cfg2.DiscordAPIURL = fake.URL
			d2 := startDiscordInstance(t, cfg2, strings.Repeat("s", 32))
			_, tok2 := d2.signUp("gm@example.com")
			status, raw := d2.req("GET", "/discord/guilds", tok2, nil)
			if status != 503 || !strings.Contains(string(raw), "discord_bot_unavailable") || !strings.Contains(string(raw), "GMC_DISCORD_BOT_TOKEN") {
				t.Errorf("without a bot token: %d %s, want 503 naming GMC_DISCORD_BOT_TOKEN", status, raw)
			}
		})
	}
}

// TestDiscordKeyRotation: a token sealed under the old secret key still
// posts after the key changed, when the old key is given as a previous
// one; without it the post fails saying why.
func TestDiscordKeyRotation(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	fake.AddWebhook(hookID, hookToken)
	cfg := config.Config{DataDir: t.TempDir(), DiscordAPIURL: fake.URL}
	oldKey, newKey := strings.Repeat("o", 32), strings.Repeat("n", 32)

	d := startDiscordInstance(t, cfg, oldKey)
	tb := d.setUp()
	d.json(201, "POST", "/discord/webhooks", tb.gm, map[string]any{"campaign_id": tb.campaign, "url": hookURL("discord.com"), "name": "recaps"})
	d.stop()

	// Without the old key the token cannot be opened: the job fails, and
	// says which setting is missing.
	d = startDiscordInstance(t, cfg, newKey)
	gm := d.json(200, "POST", "/auth/login", "", map[string]any{"email": "gm@example.com", "password": "correct horse battery"})["access_token"].(string)
	j := d.awaitJob(d.json(202, "POST", "/sessions/"+tb.session+"/discord/post", gm, nil)["job_id"].(string), gm)
	if j["state"] == "succeeded" || !strings.Contains(fmt.Sprint(j["error"]), "GMC_PREVIOUS_SECRET_KEYS") {
		t.Fatalf("without the old key: job = %v, want it failed naming GMC_PREVIOUS_SECRET_KEYS", j)
	}
	d.stop()

	// With it the post goes out, and the token is sealed again under the
	// new key: the old key is no longer needed.
	d = startDiscordInstance(t, cfg, newKey, oldKey)
	gm = d.json(200, "POST", "/auth/login", "", map[string]any{"email": "gm@example.com", "password": "correct horse battery"})["access_token"].(string)
	j = d.awaitJob(d.json(202, "POST", "/sessions/"+tb.session+"/discord/post", gm, nil)["job_id"].(string), gm)
	if j["state"] != "succeeded" {
		t.Fatalf("with the old key as previous: job = %v", j)
	}
	d.stop()

	d = startDiscordInstance(t, cfg, newKey)
	gm = d.json(200, "POST", "/auth/login", "", map[string]any{"email": "gm@example.com", "password": "correct horse battery"})["access_token"].(string)
	j = d.awaitJob(d.json(202, "POST", "/sessions/"+tb.session+"/discord/post", gm, nil)["job_id"].(string), gm)
	if j["state"] != "succeeded" {
		t.Fatalf("after the reseal, without the old key: job = %v", j)
	}
	if n := len(fake.Posted()); n != 2 {
		t.Errorf("%d messages posted, want 2 (one per successful job)", n)
	}
	d.noSecrets()
}

// TestDiscordPostSummary: once a session has its summary, the recap
// posted is the summary's player recap.
func TestDiscordPostSummary(t *testing.T) {
	t.Parallel()
	for _, b := range discordBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t)
			fake.AddWebhook(hookID, hookToken)
			cfg := b.cfg(t)
			cfg.DiscordAPIURL = fake.URL
			d := startDiscordInstance(t, cfg, strings.Repeat("s", 32))
			tb := d.setUp()
			d.json(200, "POST", "/sessions/"+tb.session+"/start", tb.gm, nil)
			var segs []any
			for i, line := range []string{
				"We ride into Barovia under a grey sky and the gates of the village are shut.",
				"Ismark asks us to escort his sister Ireena to the church in Vallaki.",
				"The burgomaster is dead, and the villagers whisper about the devil Strahd.",
				"We fight three wolves at the edge of the forest and Ana is wounded.",
				"At dusk we reach the church and the priest gives us holy water.",
				"Ireena agrees to travel with us at dawn, and we rest at the tavern.",
			} {
				segs = append(segs, map[string]any{"speaker_label": "SPEAKER_00", "start_ms": i * 10_000, "end_ms": i*10_000 + 9_000, "text": line})
			}
			d.json(201, "POST", "/sessions/"+tb.session+"/transcript/segments", tb.gm, map[string]any{"segments": segs})
			d.json(200, "POST", "/sessions/"+tb.session+"/end", tb.gm, nil)
			var sum map[string]any
			for range 400 {
				if status, raw := d.req("GET", "/sessions/"+tb.session+"/summary", tb.player, nil); status == 200 {
					_ = json.Unmarshal(raw, &sum)
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			recap, _ := sum["player_recap"].([]any)
			if len(recap) == 0 {
				t.Fatalf("no player recap: %v", sum)
			}
			d.json(201, "POST", "/discord/webhooks", tb.gm, map[string]any{"campaign_id": tb.campaign, "url": hookURL("discord.com"), "name": "recaps"})
			j := d.awaitJob(d.json(202, "POST", "/sessions/"+tb.session+"/discord/post", tb.gm, nil)["job_id"].(string), tb.gm)
			if j["state"] != "succeeded" {
				t.Fatalf("job = %v", j)
			}
			var text strings.Builder
			for _, p := range fake.Posted() {
				for _, e := range p.Message.Embeds {
					text.WriteString(e.Description + "\n")
				}
			}
			if strings.Contains(text.String(), "From the transcript") {
				t.Error("the transcript was posted, not the summary")
			}
			for _, l := range recap {
				if line := l.(map[string]any)["text"].(string); !strings.Contains(text.String(), line) {
					t.Errorf("the post lacks the player recap's %q", line)
				}
			}
			d.noSecrets()
		})
	}
}
