package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/generate/llmgen"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/llm/llmtest"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/summary"
)

// budgetServer runs the API with a loopback language model whose token
// reports count in the campaigns' budgets, as package app wires them, on
// a clock the test moves.
func budgetServer(t *testing.T, open func(testing.TB) store.Store, budgets service.Budgets, clock *fakeClock) (*client, *llmtest.Server, *llm.Client) {
	t.Helper()
	srv := llmtest.New(t)
	var c *client
	lc, err := llm.New(llm.Config{BaseURL: srv.URL, Model: srv.Model, MaxRetries: -1,
		Spent: func(ctx context.Context, campaign string, u llm.Usage) { c.svc.ChargeAI(ctx, campaign, u.Total()) }})
	if err != nil {
		t.Fatal(err)
	}
	c = newServer(t, open, serverOpts{now: clock.Now, generator: llmgen.New(lc, llmgen.Config{}), budgets: budgets, jobs: true})
	return c, srv, lc
}

// npcReply is a language model's NPC draft.
func npcReply(t *testing.T, name string) llmtest.Reply {
	t.Helper()
	b, err := json.Marshal(llm.NPC{Name: name, Ancestry: "human", Occupation: "ferryman", Appearance: "A grey coat, a lantern.", Personality: "wary",
		Ideal: "the river is fair", Bond: "his ferry", Flaw: "drinks", Motivation: "to cross once more", Secret: "owes the river a soul",
		VoiceNotes: "slow, low", Attitude: "indifferent"})
	if err != nil {
		t.Fatal(err)
	}
	return llmtest.Reply{Content: string(b)}
}

// TestAIBudget: a campaign's GM lowers its AI budget (never raises it);
// the draft that starts within the budget is made and its reported tokens
// are counted; the next is refused with 429 quota_exceeded naming the
// budget and the month's end, before the model is asked; another campaign
// is unaffected; and the next month starts from zero.
func TestAIBudget(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			// Ten minutes before the month ends: access tokens (15 minutes)
			// outlive the change of month.
			clock := &fakeClock{t: time.Date(2026, 12, 31, 23, 50, 0, 0, time.UTC)}
			c, srv, lc := budgetServer(t, b.open, service.Budgets{AITokensPerMonth: 1_000_000}, clock)
			p := newParty(t, c)
			gm := p.token["gm"]
			other := c.must(201, "POST", "/api/v1/campaigns", gm, map[string]any{"name": "Elsewhere"}).str("id")

			// Bad budgets are refused naming the field, and change nothing.
			for _, bad := range []struct {
				field string
				value any
			}{
				{"ai_tokens_per_month", 2_000_000}, // above the server's
				{"ai_tokens_per_month", -5},
				{"ai_tokens_per_month", 1.5},
				{"ai_tokens_per_month", "lots"},
				{"audio_minutes_per_month", -1},
				{"audio_minutes_per_month", 0.5},
				{"audio_minutes_per_month", 2_000_000}, // above the most a campaign may set
			} {
				r := c.do("PATCH", p.path(""), gm, map[string]any{"settings": map[string]any{bad.field: bad.value}})
				if r.status != 422 || !namesField(r, "body.settings."+bad.field) {
					t.Errorf("%s = %v: %d %s, want 422 naming body.settings.%s", bad.field, bad.value, r.status, r.raw, bad.field)
				}
			}
			if s := c.must(200, "GET", p.path(""), gm, nil).field("settings", "ai_tokens_per_month"); s != nil {
				t.Errorf("after refused changes ai_tokens_per_month = %v", s)
			}
			// A player may not see the usage; a stranger is told nothing.
			c.must(403, "GET", p.path("/usage"), p.token["player"], nil)
			_, stranger, _ := c.signUp("stranger@example.com")
			c.must(404, "GET", p.path("/usage"), stranger, nil)

			// Lower budgets are the GM's to set: below the server's AI
			// budget, and any audio budget where the server has none.
			c.must(200, "PATCH", p.path(""), gm, map[string]any{"settings": map[string]any{"ai_tokens_per_month": 1, "audio_minutes_per_month": 90}})
			u := c.must(200, "GET", p.path("/usage"), gm, nil)
			if u.str("month") != "2026-12" || u.str("resets_at") != "2027-01-01T00:00:00Z" || u.field("ai_tokens", "used") != float64(0) ||
				u.field("ai_tokens", "limit") != float64(1) || u.field("ai_tokens", "server_limit") != float64(1_000_000) ||
				u.field("ai_tokens", "campaign_limit") != float64(1) || u.field("ai_tokens", "used_up") != false ||
				u.field("audio_seconds", "limit") != float64(5400) || u.field("audio_seconds", "server_limit") != float64(0) ||
				u.field("audio_seconds", "used") != float64(0) || u.field("audio_seconds", "used_up") != false {
				t.Errorf("usage before any spending: %s", u.raw)
			}

			// Within the budget: the draft is made and what it cost counts.
			srv.Script(npcReply(t, "Oskar Venn"))
			c.must(200, "POST", p.path("/generate/npc"), gm, map[string]any{})
			spent := lc.Usage(p.campaign).Total()
			if spent <= 1 {
				t.Fatalf("the model reported %d tokens", spent)
			}
			u = c.must(200, "GET", p.path("/usage"), gm, nil)
			if u.field("ai_tokens", "used") != float64(spent) || u.field("ai_tokens", "used_up") != true {
				t.Errorf("usage after a draft of %d tokens: %s", spent, u.raw)
			}

			// Spent: refused before the model is asked, naming the budget
			// and when it resets.
			asked := len(srv.Requests())
			for _, req := range []struct {
				path string
				body any
			}{
				{p.path("/generate/npc"), map[string]any{}},
				{p.path("/plot-hooks"), map[string]any{}},
				{"/api/v1/sessions/" + newSession(t, c, p) + "/summary", nil},
			} {
				path := req.path
				r := c.do("POST", path, gm, req.body)
				wait := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Sub(clock.Now())
				if r.status != 429 || r.str("code") != "quota_exceeded" || r.str("budget") != "ai_tokens" || r.str("resets_at") != "2027-01-01T00:00:00Z" ||
					r.header.Get("Retry-After") != strconv.Itoa(int(wait.Seconds())) {
					t.Errorf("POST %s over budget = %d %v %s, want 429 quota_exceeded for ai_tokens until 2027-01-01, Retry-After %v",
						path, r.status, r.header, r.raw, wait.Seconds())
				}
			}
			// A summary job that meets the spent budget is refused before
			// the model is asked (package jobs then fails it for good).
			_, err := c.svc.SummarizeSession(context.Background(), service.SummaryJob{SessionID: newSession(t, c, p), UserID: p.user["gm"], JobID: "1"},
				summary.LLM{Client: lc}, nil)
			var qe *gmc.QuotaError
			if !errors.As(err, &qe) || qe.Budget != gmc.BudgetAITokens || qe.Used != spent || qe.Limit != 1 {
				t.Errorf("summary over budget = %v, want the AI budget's quota error", err)
			}
			if n := len(srv.Requests()); n != asked {
				t.Errorf("the model was asked %d times more over budget", n-asked)
			}

			// The other campaign has its own budget.
			srv.Script(npcReply(t, "Tam Rook"))
			c.must(200, "POST", "/api/v1/campaigns/"+other+"/generate/npc", gm, map[string]any{})
			if o := c.must(200, "GET", "/api/v1/campaigns/"+other+"/usage", gm, nil); o.field("ai_tokens", "used") != float64(lc.Usage(other).Total()) ||
				o.field("ai_tokens", "used_up") != false || o.field("ai_tokens", "limit") != float64(1_000_000) {
				t.Errorf("the other campaign's usage: %s", o.raw)
			}

			// A new month starts from zero.
			clock.Advance(11 * time.Minute)
			srv.Script(npcReply(t, "Mira Sallow"))
			c.must(200, "POST", p.path("/generate/npc"), gm, map[string]any{})
			u = c.must(200, "GET", p.path("/usage"), gm, nil)
			if now := lc.Usage(p.campaign).Total() - spent; u.str("month") != "2027-01" || u.str("resets_at") != "2027-02-01T00:00:00Z" ||
				u.field("ai_tokens", "used") != float64(now) || now <= 0 {
				t.Errorf("usage in the new month (%d tokens spent in it): %s", now, u.raw)
			}
		})
	}
}

// namesField says whether a problem names the field at location.
func namesField(r response, location string) bool {
	errs, _ := r.body["errors"].([]any)
	for _, e := range errs {
		if m, _ := e.(map[string]any); m["location"] == location {
			return true
		}
	}
	return false
}

// newSession schedules a session of the party's campaign.
func newSession(t *testing.T, c *client, p *party) string {
	t.Helper()
	return c.must(201, "POST", p.path("/sessions"), p.token["gm"], map[string]any{"title": fmt.Sprintf("Evening %d", time.Now().UnixNano())}).str("id")
}
