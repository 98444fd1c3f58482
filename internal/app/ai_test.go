package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/llm/llmtest"
)

// llmConfig is the configuration of LLM mode against srv, with timeouts
// short enough for a test to see the server give up.
func llmConfig(srv *llmtest.Server) config.Config {
	return config.Config{LLMBaseURL: srv.URL, LLMModel: srv.Model, LLMTimeout: 5 * time.Second, LLMTotalTimeout: 4 * time.Second}
}

func npcAnswer(name string) string {
	b, _ := json.Marshal(llm.NPC{Name: name, Ancestry: "dwarf", Occupation: "lamplighter", Appearance: "Soot on her cheeks and a brass pole.",
		Personality: "Hums when nervous.", Ideal: "Light for everyone.", Bond: "Lit the lamps for Lady Vex for twenty years.", Flaw: "Gossips.",
		Motivation: "Keep the old lamps burning.", Secret: "Saw who sank the cargo.", VoiceNotes: "Slow, hoarse, ends questions with 'eh'.", Attitude: "friendly"})
	return string(b)
}

// aiCampaign is a campaign with a GM and a GM-only NPC with a secret.
func aiCampaign(t *testing.T, in *instance) (campaignID, gm string) {
	t.Helper()
	_, gm = in.signUp("gm@example.com")
	campaignID = in.call("POST", "/campaigns", gm, map[string]any{"name": "Lamps of Saltmarsh"}, 201)["id"].(string)
	in.call("POST", "/campaigns/"+campaignID+"/characters", gm, map[string]any{"name": "Lady Vex", "character_type": "npc",
		"notes": map[string]any{"occupation": "harbour master"}, "gm_notes": map[string]any{"secret": "runs the smugglers"}}, 201)
	return campaignID, gm
}

func readyAI(t *testing.T, in *instance) map[string]any {
	t.Helper()
	var r struct {
		Components map[string]any `json:"components"`
	}
	if code := getJSON(t, in.srv.URL+"/readyz", &r); code != http.StatusOK {
		t.Fatalf("/readyz = %d", code)
	}
	ai, _ := r.Components["ai"].(map[string]any)
	return ai
}

// TestAIModeReported: /readyz says which generators run.
func TestAIModeReported(t *testing.T) {
	t.Parallel()
	if ai := readyAI(t, startInstance(t, config.Config{})); ai["mode"] != "builtin" || ai["model"] != nil {
		t.Errorf("built-in: components.ai = %v", ai)
	}
	srv := llmtest.New(t)
	if ai := readyAI(t, startInstance(t, llmConfig(srv))); ai["mode"] != "llm" || ai["model"] != srv.Model {
		t.Errorf("LLM mode: components.ai = %v", ai)
	}
}

// TestAIModeLogged: the start-up line names the AI mode, and LLM mode's
// line names the model but never the API key.
func TestAIModeLogged(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	for _, tc := range []struct {
		cfg  config.Config
		want []string
	}{
		{config.Config{}, []string{`"ai":"builtin"`}},
		{func() config.Config { c := llmConfig(srv); c.LLMAPIKey = "sk-very-secret"; return c }(), []string{`"ai":"llm"`, `"model":"` + srv.Model + `"`}},
	} {
		var buf bytes.Buffer
		cfg := tc.cfg
		cfg.DataDir, cfg.SecretKey = t.TempDir(), strings.Repeat("s", 32)
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(&buf, nil)), "test")
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		for _, w := range tc.want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("log lacks %s:\n%s", w, buf.String())
			}
		}
		if strings.Contains(buf.String(), "sk-very-secret") {
			t.Error("the API key is in the log")
		}
	}
}

// TestAIGenerateOverHTTP drives the generators in LLM mode through the
// app against a loopback OpenAI-compatible server.
func TestAIGenerateOverHTTP(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	in := startInstance(t, llmConfig(srv))
	campaignID, gm := aiCampaign(t, in)
	base := "/campaigns/" + campaignID

	t.Run("npc", func(t *testing.T) {
		before := len(srv.Requests())
		srv.Script(llmtest.Reply{Content: npcAnswer("Hilde Brasspole")})
		out := in.call("POST", base+"/generate/npc?seed=77", gm, map[string]any{"hints": map[string]any{"occupation": "lamplighter"}}, 200)
		d := out["draft"].(map[string]any)
		if d["name"] != "Hilde Brasspole" || d["generator"] != "llm" || d["model"] != srv.Model || d["seed"] != 77.0 || d["secret"] != "Saw who sank the cargo." {
			t.Errorf("draft = %v", d)
		}
		if refs, _ := d["references"].([]any); len(refs) != 1 || refs[0].(map[string]any)["name"] != "Lady Vex" {
			t.Errorf("references = %v, want Lady Vex (named in the bond)", d["references"])
		}
		if out["character"] != nil {
			t.Error("a draft without ?save=true was stored")
		}
		reqs := srv.Requests()[before:]
		if len(reqs) != 1 {
			t.Fatalf("%d chat requests, want 1", len(reqs))
		}
		if reqs[0].Body["seed"] != 77.0 || reqs[0].Format != "json_schema" {
			t.Errorf("request seed %v format %q", reqs[0].Body["seed"], reqs[0].Format)
		}
		if user := reqs[0].Messages[1].Content; !strings.Contains(user, "Lady Vex (NPC, GM only)") || !strings.Contains(user, "GM notes (secret): secret: runs the smugglers") {
			t.Errorf("the campaign context is missing or unmarked: %q", user)
		}
	})

	t.Run("malformed answer repaired", func(t *testing.T) {
		before := len(srv.Requests())
		srv.Script(llmtest.Reply{Content: `{"name": "Hilde", "ancestry": `}, llmtest.Reply{Content: npcAnswer("Greta Wickmaker")})
		d := in.call("POST", base+"/generate/npc", gm, nil, 200)["draft"].(map[string]any)
		if d["name"] != "Greta Wickmaker" || d["voice_notes"] != "Slow, hoarse, ends questions with 'eh'." {
			t.Errorf("draft = %v", d)
		}
		reqs := srv.Requests()[before:]
		if len(reqs) != 2 || !strings.Contains(reqs[1].Messages[len(reqs[1].Messages)-1].Content, "Your answer is not valid") {
			t.Fatalf("want the invalid answer followed by one repair request, got %d requests", len(reqs))
		}
	})

	t.Run("stream cut mid-way retried", func(t *testing.T) {
		before := len(srv.Requests())
		hooks, _ := json.Marshal(llm.PlotHooks{Hooks: []llm.PlotHook{{Title: "Dark lamps", Summary: "Lady Vex orders the harbour lamps out tonight.",
			Involves: []string{"Lady Vex"}, Source: "npc_motivation", Urgency: "high"}}})
		srv.Script(llmtest.Reply{Content: string(hooks), CutAfter: 40}, llmtest.Reply{Content: string(hooks)})
		d := in.call("POST", base+"/plot-hooks", gm, map[string]any{"count": 3}, 200)["draft"].(map[string]any)
		hs := d["hooks"].([]any)
		if len(hs) != 1 || hs[0].(map[string]any)["title"] != "Dark lamps" || hs[0].(map[string]any)["kind"] != "npc_motivation" {
			t.Errorf("hooks = %v", hs)
		}
		reqs := srv.Requests()[before:]
		if len(reqs) != 2 || !reqs[0].Stream || !reqs[1].Stream {
			t.Fatalf("want a cut stream then a whole one, got %d requests", len(reqs))
		}
	})

	t.Run("save stores the model's draft", func(t *testing.T) {
		srv.Script(llmtest.Reply{Content: npcAnswer("Odile Fenwick")})
		out := in.call("POST", base+"/generate/npc?save=true", gm, nil, 201)
		ch := out["character"].(map[string]any)
		got := in.call("GET", "/characters/"+ch["id"].(string), gm, nil, 200)
		var gmNotes struct {
			Secret string `json:"secret"`
		}
		b, _ := json.Marshal(got["gm_notes"])
		_ = json.Unmarshal(b, &gmNotes)
		notes, _ := got["notes"].(map[string]any)
		if got["name"] != "Odile Fenwick" || got["visibility"] != "gm" || gmNotes.Secret != "Saw who sank the cargo." ||
			notes["attitude"] != "friendly" || got["voice_notes"] != "Slow, hoarse, ends questions with 'eh'." {
			t.Errorf("stored = %v", got)
		}
	})

	t.Run("usage counted per campaign", func(t *testing.T) {
		u := in.app.AIUsage()[campaignID]
		// npc, invalid + repair, cut (not counted) + stream, save.
		if u.Calls != 5 || u.PromptTokens == 0 || u.CompletionTokens == 0 {
			t.Errorf("usage = %+v, want 5 calls with tokens", u)
		}
	})
}

// TestAIServerDown: a model server that is not there is a 503
// ai_unavailable problem, and ?save=true stores nothing.
func TestAIServerDown(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.Close()
	in := startInstance(t, llmConfig(srv))
	campaignID, gm := aiCampaign(t, in)
	countChars := func() int {
		var page struct {
			Items []any `json:"items"`
		}
		b, _ := json.Marshal(in.call("GET", "/campaigns/"+campaignID+"/characters", gm, nil, 200))
		_ = json.Unmarshal(b, &page)
		return len(page.Items)
	}
	before := countChars()
	req, _ := http.NewRequest("POST", in.base+"/campaigns/"+campaignID+"/generate/npc?save=true", bytes.NewReader([]byte(`{}`)))
	req.Header.Set("Authorization", "Bearer "+gm)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var p struct {
		Code, Detail string
	}
	_ = json.Unmarshal(raw, &p)
	if res.StatusCode != http.StatusServiceUnavailable || p.Code != "ai_unavailable" || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("answer = %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), raw)
	}
	if strings.Contains(p.Detail, "127.0.0.1") {
		t.Errorf("detail names the server's address: %q", p.Detail)
	}
	if after := countChars(); after != before {
		t.Errorf("%d characters after a failed save, want %d", after, before)
	}
}

// TestAIBudgetCountsTokens: in LLM mode the tokens the model reports count
// in the campaign's AI budget (GMC_CAMPAIGN_AI_TOKENS_PER_MONTH): the
// draft that spends it is made, the next is refused with 429
// quota_exceeded, and GET /usage shows what the model reported.
func TestAIBudgetCountsTokens(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	cfg := llmConfig(srv)
	cfg.CampaignAITokensPerMonth = 1
	in := startInstance(t, cfg)
	campaignID, gm := aiCampaign(t, in)
	base := "/campaigns/" + campaignID
	srv.Script(llmtest.Reply{Content: npcAnswer("Hilde Brasspole")})
	in.call("POST", base+"/generate/npc", gm, map[string]any{}, 200)
	spent := in.app.AIUsage()[campaignID].Total()
	u := in.call("GET", base+"/usage", gm, nil, 200)["ai_tokens"].(map[string]any)
	if spent <= 1 || u["used"] != float64(spent) || u["limit"] != float64(1) || u["used_up"] != true {
		t.Errorf("usage after a draft of %d tokens: %v", spent, u)
	}
	asked := len(srv.Requests())
	if status, raw := in.send("POST", base+"/generate/npc", gm, map[string]any{}); status != http.StatusTooManyRequests || !strings.Contains(string(raw), `"quota_exceeded"`) {
		t.Errorf("draft over budget = %d %s, want 429 quota_exceeded", status, raw)
	}
	if len(srv.Requests()) != asked {
		t.Error("the model was asked over budget")
	}
}
