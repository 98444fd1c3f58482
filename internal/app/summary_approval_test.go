package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/discord/discordtest"
)

// summarised plays a short session and waits for its summary.
func (d *discordInstance) summarised(tb discordTable, title string) string {
	d.t.Helper()
	sid := d.json(201, "POST", "/campaigns/"+tb.campaign+"/sessions", tb.gm, map[string]any{"title": title})["id"].(string)
	d.json(200, "POST", "/sessions/"+sid+"/start", tb.gm, nil)
	var segs []any
	for i, line := range []string{
		"We ride into Barovia under a grey sky and the gates of the village are shut.",
		"Ismark asks us to escort his sister Ireena to the church in Vallaki.",
		"At dusk we reach the church and the priest gives us holy water.",
	} {
		segs = append(segs, map[string]any{"speaker_label": "SPEAKER_00", "start_ms": i * 10_000, "end_ms": i*10_000 + 9_000, "text": line})
	}
	d.json(201, "POST", "/sessions/"+sid+"/transcript/segments", tb.gm, map[string]any{"segments": segs})
	d.json(200, "POST", "/sessions/"+sid+"/end", tb.gm, nil)
	for range 400 {
		if status, _ := d.req("GET", "/sessions/"+sid+"/summary", tb.gm, nil); status == 200 {
			return sid
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.t.Fatalf("session %s got no summary", sid)
	return ""
}

// TestSummaryApproval approves summaries over HTTP against a loopback
// Discord: without an auto-post webhook the summary is approved and
// nothing posted; with one, the approval queues exactly one post of the
// recap and approving again posts nothing; a webhook of another
// campaign is refused naming the setting; once the webhook is deleted an
// approval says why it posts nothing; players cannot approve.
func TestSummaryApproval(t *testing.T) {
	t.Parallel()
	for _, b := range discordBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			const otherHook = "2234567890123456789"
			fake := discordtest.New(t)
			fake.AddWebhook(hookID, hookToken)
			fake.AddWebhook(otherHook, hookToken)
			cfg := b.cfg(t)
			cfg.DiscordAPIURL = fake.URL
			d := startDiscordInstance(t, cfg, strings.Repeat("s", 32))
			tb := d.setUp()
			approve := func(sid string) map[string]any {
				t.Helper()
				return d.json(200, "POST", "/sessions/"+sid+"/summary/approve", tb.gm, nil)
			}

			// No webhook set: approved, nothing queued.
			first := d.summarised(tb, "One")
			if status, raw := d.req("POST", "/sessions/"+first+"/summary/approve", tb.player, nil); status != 403 {
				t.Errorf("player's approval = %d %s, want 403", status, raw)
			}
			if sum := d.json(200, "GET", "/sessions/"+first+"/summary", tb.gm, nil); sum["approved_at"] != nil {
				t.Fatalf("summary approved before approval: %v", sum)
			}
			res := approve(first)
			sum, _ := res["summary"].(map[string]any)
			if res["approved"] != true || res["discord_job_id"] != nil || sum["approved_at"] == nil || sum["approved_by"] == nil {
				t.Errorf("approval without a webhook = %v; want approved, no job", res)
			}
			if got := d.json(200, "GET", "/sessions/"+first+"/summary", tb.gm, nil); got["approved_at"] != sum["approved_at"] {
				t.Errorf("GET summary approved_at = %v, want %v", got["approved_at"], sum["approved_at"])
			}

			// The setting takes only this campaign's webhooks.
			mine := d.json(201, "POST", "/discord/webhooks", tb.gm, map[string]any{"campaign_id": tb.campaign, "url": hookURL("discord.com"), "name": "recaps"})["id"].(string)
			other := d.json(201, "POST", "/campaigns", tb.gm, map[string]any{"name": "Elsewhere"})["id"].(string)
			theirs := d.json(201, "POST", "/discord/webhooks", tb.gm, map[string]any{"campaign_id": other,
				"url": "https://discord.com/api/webhooks/" + otherHook + "/" + hookToken, "name": "theirs"})["id"].(string)
			status, raw := d.req("PATCH", "/campaigns/"+tb.campaign, tb.gm, map[string]any{"settings": map[string]any{"discord_auto_post_webhook_id": theirs}})
			if status != 422 || !strings.Contains(string(raw), "discord_auto_post_webhook_id") {
				t.Errorf("setting another campaign's webhook = %d %s; want 422 naming discord_auto_post_webhook_id", status, raw)
			}
			c := d.json(200, "PATCH", "/campaigns/"+tb.campaign, tb.gm, map[string]any{"settings": map[string]any{"discord_auto_post_webhook_id": mine}})
			if s, _ := c["settings"].(map[string]any); s["discord_auto_post_webhook_id"] != mine {
				t.Fatalf("settings after PATCH = %v", c["settings"])
			}

			// An approved summary approved again posts nothing, even now
			// that the campaign auto-posts.
			if res := approve(first); res["approved"] != false || res["discord_job_id"] != nil {
				t.Errorf("second approval = %v; want approved false, no job", res)
			}

			second := d.summarised(tb, "Two")
			res = approve(second)
			jobID, _ := res["discord_job_id"].(string)
			if res["approved"] != true || jobID == "" {
				t.Fatalf("approval with a webhook = %v; want a job", res)
			}
			if j := d.awaitJob(jobID, tb.gm); j["state"] != "succeeded" {
				t.Fatalf("post job = %v", j)
			}
			posted := len(fake.Posted())
			if posted == 0 {
				t.Fatal("nothing posted")
			}
			var text strings.Builder
			for _, p := range fake.Posted() {
				if p.WebhookID != hookID {
					t.Errorf("posted to webhook %s, want %s", p.WebhookID, hookID)
				}
				for _, e := range p.Message.Embeds {
					text.WriteString(e.Title + "\n" + e.Description + "\n")
				}
			}
			if !strings.Contains(text.String(), "Two") {
				t.Errorf("the post is not the second session's recap: %s", text.String())
			}
			if res := approve(second); res["approved"] != false || res["discord_job_id"] != nil {
				t.Errorf("approving again = %v; want approved false, no job", res)
			}
			// Long enough for a job queued by mistake to run.
			time.Sleep(500 * time.Millisecond)
			if got := len(fake.Posted()); got != posted {
				t.Errorf("posts after approving again = %d, want %d", got, posted)
			}
			// The setting outlives its webhook: once the webhook is
			// deleted, an approval still approves and says why nothing
			// is posted.
			if status, raw := d.req("DELETE", "/discord/webhooks/"+mine, tb.gm, nil); status != 204 {
				t.Fatalf("deleting the webhook = %d %s", status, raw)
			}
			third := d.summarised(tb, "Three")
			res = approve(third)
			if res["approved"] != true || res["discord_job_id"] != nil || res["discord_skipped"] != "the campaign's auto-post webhook was deleted" {
				t.Errorf("approval after the webhook was deleted = %v; want approved, no job, the reason", res)
			}
			if problems := fake.Problems(); len(problems) != 0 {
				t.Errorf("Discord saw problems: %v", problems)
			}
			d.noSecrets()
		})
	}
}
