package app_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/llm/llmtest"
	"github.com/gmc-project/gmc/internal/testenv"
)

// llmSummaryAnswer is a session summary answer whose two scenes cite the
// segments seqs[0..2] and seqs[3..5].
func llmSummaryAnswer(recap, first, second string, seqs []int64) string {
	b, _ := json.Marshal(llm.SessionSummary{Title: "The oil of the harbour", Recap: recap,
		Scenes: []llm.SummaryScene{
			{Kind: "roleplay", Summary: first, FirstSegment: seqs[0], LastSegment: seqs[2]},
			{Kind: "combat", Summary: second, FirstSegment: seqs[3], LastSegment: seqs[5]},
		},
		PlotPoints: []llm.SummaryFact{}, Achievements: []llm.SummaryFact{{Text: "Lyra won the fight.", Segments: []int64{seqs[4]}}}})
	return string(b)
}

// llmSummaryRun asks for the session's summary and waits for the job
// that makes version v (a job still finishing the version before is
// answered to the request until it is done).
func llmSummaryRun(t *testing.T, in *instance, sessionID, gm string, v float64) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		job := in.call("POST", "/sessions/"+sessionID+"/summary", gm, nil, 202)["job_id"].(string)
		for {
			j := in.call("GET", "/jobs/"+job, gm, nil, 200)
			if j["state"] == "succeeded" {
				res := j["result"].(map[string]any)
				if res["version"].(float64) >= v {
					return res
				}
				break
			}
			if j["state"] == "failed" || time.Now().After(deadline) {
				t.Fatalf("summary job: %v", j)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// TestSessionSummaryLLM runs the summary in LLM mode over HTTP against a
// loopback OpenAI-compatible server: ending the session makes the model's
// GM recap for the GM and its player-safe recap for players; a player
// recap naming the GM-only NPC is repaired or replaced by the built-in
// one (the player view never names it); a malformed answer is repaired;
// a stream cut mid-way is tried again; with the server down the built-in
// recaps are stored and the summary says so.
func TestSessionSummaryLLM(t *testing.T) {
	t.Parallel()
	for _, s := range []struct {
		name string
		cfg  func(t *testing.T) config.Config
	}{
		{"embedded", func(*testing.T) config.Config { return config.Config{} }},
		{"postgres", func(t *testing.T) config.Config { return config.Config{DatabaseURL: testenv.PostgresSchema(t)} }},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			testSessionSummaryLLM(t, s.cfg)
		})
	}
}

func testSessionSummaryLLM(t *testing.T, dbConfig func(t *testing.T) config.Config) {
	srv := llmtest.New(t)
	cfg := dbConfig(t)
	cfg.LLMBaseURL, cfg.LLMModel, cfg.LLMTimeout, cfg.LLMTotalTimeout = srv.URL, srv.Model, 5*time.Second, 4*time.Second
	in := startInstance(t, cfg, app.WithJobConfig(func(c *jobs.Config) { c.PollInterval = 50 * time.Millisecond }))
	tb := setUpTable(t, in)
	camp := "/campaigns/" + tb.campaignID
	in.call("PATCH", camp, tb.gm, map[string]any{"name": "Lamps of Saltmarsh"}, 200)
	chars := map[string]string{}
	for _, c := range []map[string]any{
		{"name": "Lyra", "character_type": "pc", "visibility": "players"},
		{"name": "Marta", "character_type": "npc", "visibility": "players"},
		{"name": "Vess", "character_type": "npc", "visibility": "gm", "aliases": []string{"the Whisper"}},
	} {
		chars[c["name"].(string)] = in.call("POST", camp+"/characters", tb.gm, c, 201)["id"].(string)
	}
	in.call("PUT", "/sessions/"+tb.sessionID+"/speakers", tb.gm, map[string]any{"speakers": []map[string]any{
		{"label": "Alice", "character_id": chars["Lyra"]}, {"label": "Voice", "character_id": chars["Vess"]}}}, 200)
	var segs []map[string]any
	for i, l := range [][2]string{
		{"GM", "You arrive at the harbour at dusk and Marta the fishmonger waves you over."},
		{"Alice", "I ask Marta who has been buying all the lamp oil in town."},
		{"GM", "Marta says quietly that Vess, the one they call the Whisper, bought every barrel."},
		{"Voice", "Nobody leaves this harbour tonight without my leave, travellers."},
		{"Alice", "I draw my rapier and we fight the dockhands on the pier."},
		{"GM", "The dockhands fall into the water and the pier is quiet again."},
	} {
		segs = append(segs, map[string]any{"speaker_label": l[0], "start_ms": i * 6000, "end_ms": i*6000 + 5000, "text": l[1]})
	}
	in.call("POST", "/sessions/"+tb.sessionID+"/transcript/segments", tb.gm, map[string]any{"segments": segs}, 201)
	var seqs []int64
	segIDs := map[string]bool{}
	for _, it := range in.call("GET", "/sessions/"+tb.sessionID+"/transcript", tb.gm, nil, 200)["items"].([]any) {
		m := it.(map[string]any)
		seqs = append(seqs, int64(m["seq"].(float64)))
		segIDs[m["id"].(string)] = true
	}
	if len(seqs) != 6 {
		t.Fatalf("%d segments stored", len(seqs))
	}

	gmAnswer := llmSummaryAnswer("Marta told the party that Vess bought the lamp oil; they then beat the dockhands on the pier.",
		"Marta names Vess, the Whisper, as the buyer.", "The party fights the dockhands.", seqs)
	playerAnswer := llmSummaryAnswer("Marta told the party who bought the lamp oil; they then beat the dockhands on the pier.",
		"Marta tells of a buyer of the oil.", "The party fights the dockhands.", seqs)
	leaking := llmSummaryAnswer("Marta told the party that the whisper's men bought the oil.", "Marta tells of a buyer.", "A fight.", seqs)
	hidden := regexp.MustCompile(`(?i)\b(vess|whisper)\b`)

	// views reads the summary as the GM and as a player, checking that
	// the player's names nothing GM-only.
	views := func(t *testing.T, v float64) (gmView, playerView map[string]any) {
		t.Helper()
		gmView = waitSummary(t, in, tb.sessionID, tb.gm, v)
		playerView = in.call("GET", "/sessions/"+tb.sessionID+"/summary", tb.p1, nil, 200)
		raw, _ := json.Marshal(playerView)
		if hidden.Match(raw) || strings.Contains(string(raw), chars["Vess"]) || strings.Contains(string(raw), "[hidden]") {
			t.Errorf("the player view names the GM-only NPC: %s", raw)
		}
		if playerView["view"] != "players" || playerView["gm_recap"] != nil || playerView["fallback"] != nil || playerView["player_mode"] != nil {
			t.Errorf("player view: %s", raw)
		}
		return gmView, playerView
	}
	recapText := func(view map[string]any, field string) string {
		lines, _ := view[field].([]any)
		if len(lines) == 0 {
			return ""
		}
		return lines[0].(map[string]any)["text"].(string)
	}
	playerRequests := func(from int) {
		t.Helper()
		for _, r := range srv.Requests()[from:] {
			name := r.Body["response_format"].(map[string]any)["json_schema"].(map[string]any)["name"]
			if name != "session_summary_player" {
				continue
			}
			for _, m := range r.Messages {
				if hidden.MatchString(m.Content) {
					t.Errorf("a player prompt names the GM-only NPC: %q", m.Content)
				}
			}
		}
	}

	t.Run("session end makes both recaps", func(t *testing.T) {
		srv.Script(llmtest.Reply{Content: gmAnswer, ChunkSize: 40}, llmtest.Reply{Content: playerAnswer, ChunkSize: 40})
		in.call("POST", "/sessions/"+tb.sessionID+"/end", tb.gm, nil, 200)
		gmView, playerView := views(t, 1)
		if gmView["mode"] != "llm" || gmView["player_mode"] != "llm" || gmView["model"] != srv.Model || gmView["fallback"] != nil {
			t.Errorf("GM view mode %v player_mode %v model %v fallback %v", gmView["mode"], gmView["player_mode"], gmView["model"], gmView["fallback"])
		}
		if recapText(gmView, "gm_recap") != "Marta told the party that Vess bought the lamp oil; they then beat the dockhands on the pier." {
			t.Errorf("GM recap = %v", gmView["gm_recap"])
		}
		for _, l := range gmView["gm_recap"].([]any) {
			ids := l.(map[string]any)["segment_ids"].([]any)
			for _, id := range ids {
				if !segIDs[id.(string)] {
					t.Errorf("recap line cites %v, not a segment of the session", id)
				}
			}
			if len(ids) == 0 {
				t.Errorf("recap line without evidence: %v", l)
			}
		}
		if playerView["mode"] != "llm" || playerView["model"] != srv.Model ||
			recapText(playerView, "player_recap") != "Marta told the party who bought the lamp oil; they then beat the dockhands on the pier." {
			t.Errorf("player view: mode %v model %v recap %v", playerView["mode"], playerView["model"], playerView["player_recap"])
		}
		// The summarizer's progress reaches the job.
		if j := in.call("GET", "/jobs/"+gmView["job_id"].(string), tb.gm, nil, 200); j["message"] != "recaps written" || j["progress"].(float64) < 0.95 {
			t.Errorf("job progress %v %q, want the recaps' last step", j["progress"], j["message"])
		}
		if len(gmView["scenes"].([]any)) == 0 || len(gmView["entities"].([]any)) == 0 {
			t.Errorf("the built-in facts are missing: %v", gmView)
		}
		reqs := srv.Requests()
		if len(reqs) != 2 || !reqs[0].Stream || !strings.Contains(reqs[0].Messages[0].Content, "Lamps of Saltmarsh") {
			t.Fatalf("%d requests, want two streamed ones naming the campaign", len(reqs))
		}
		playerRequests(0)
		if u := in.app.AIUsage()[tb.campaignID]; u.Calls != 2 || u.PromptTokens == 0 || u.CompletionTokens == 0 {
			t.Errorf("usage of the campaign = %+v", u)
		}
	})

	t.Run("leak repaired", func(t *testing.T) {
		from := len(srv.Requests())
		srv.Script(llmtest.Reply{Content: gmAnswer}, llmtest.Reply{Content: leaking}, llmtest.Reply{Content: playerAnswer})
		if res := llmSummaryRun(t, in, tb.sessionID, tb.gm, 2); res["mode"] != "llm" {
			t.Errorf("job result = %v", res)
		}
		gmView, playerView := views(t, 2)
		if gmView["player_mode"] != "llm" || recapText(playerView, "player_recap") != "Marta told the party who bought the lamp oil; they then beat the dockhands on the pier." {
			t.Errorf("player_mode %v, player recap %v", gmView["player_mode"], playerView["player_recap"])
		}
		reqs := srv.Requests()[from:]
		if len(reqs) != 3 || !strings.Contains(reqs[2].Messages[1].Content, "[hidden]") {
			t.Fatalf("want the GM recap, the leak and one repair, got %d requests", len(reqs))
		}
		playerRequests(from)
	})

	t.Run("leak twice falls back to the built-in player recap", func(t *testing.T) {
		from := len(srv.Requests())
		srv.Script(llmtest.Reply{Content: gmAnswer}, llmtest.Reply{Content: leaking}, llmtest.Reply{Content: leaking})
		llmSummaryRun(t, in, tb.sessionID, tb.gm, 3)
		gmView, playerView := views(t, 3)
		if gmView["mode"] != "llm" || gmView["player_mode"] != "builtin" || !strings.Contains(fmt.Sprint(gmView["fallback"]), "GM-only") {
			t.Errorf("GM view mode %v player_mode %v fallback %v", gmView["mode"], gmView["player_mode"], gmView["fallback"])
		}
		if playerView["mode"] != "builtin" || playerView["model"] != nil || len(playerView["player_recap"].([]any)) == 0 {
			t.Errorf("player view mode %v model %v recap %v", playerView["mode"], playerView["model"], playerView["player_recap"])
		}
		if len(srv.Requests())-from != 3 {
			t.Errorf("%d requests, want 3", len(srv.Requests())-from)
		}
		playerRequests(from)
	})

	t.Run("malformed answer repaired", func(t *testing.T) {
		from := len(srv.Requests())
		srv.Script(llmtest.Reply{Content: `{"title": "The oil", "recap": `}, llmtest.Reply{Content: gmAnswer}, llmtest.Reply{Content: playerAnswer})
		llmSummaryRun(t, in, tb.sessionID, tb.gm, 4)
		gmView, _ := views(t, 4)
		if gmView["mode"] != "llm" || gmView["player_mode"] != "llm" || !strings.HasPrefix(recapText(gmView, "gm_recap"), "Marta told the party that Vess") {
			t.Errorf("GM view mode %v player_mode %v recap %v", gmView["mode"], gmView["player_mode"], gmView["gm_recap"])
		}
		reqs := srv.Requests()[from:]
		if len(reqs) != 3 || !strings.Contains(reqs[1].Messages[len(reqs[1].Messages)-1].Content, "Your answer is not valid") {
			t.Errorf("want the malformed answer followed by one repair request, got %d requests", len(reqs))
		}
	})

	t.Run("stream cut retried", func(t *testing.T) {
		from := len(srv.Requests())
		srv.Script(llmtest.Reply{Content: gmAnswer, CutAfter: 60}, llmtest.Reply{Content: gmAnswer}, llmtest.Reply{Content: playerAnswer})
		llmSummaryRun(t, in, tb.sessionID, tb.gm, 5)
		gmView, _ := views(t, 5)
		if gmView["mode"] != "llm" || gmView["player_mode"] != "llm" {
			t.Errorf("GM view mode %v player_mode %v fallback %v", gmView["mode"], gmView["player_mode"], gmView["fallback"])
		}
		if reqs := srv.Requests()[from:]; len(reqs) != 3 || !reqs[0].Stream || !reqs[1].Stream {
			t.Errorf("want a cut stream, a whole one and the player recap, got %d requests", len(reqs))
		}
	})

	t.Run("server down keeps the built-in recaps", func(t *testing.T) {
		srv.Close()
		if res := llmSummaryRun(t, in, tb.sessionID, tb.gm, 6); res["mode"] != "builtin" {
			t.Errorf("job result = %v", res)
		}
		if j := in.call("GET", "/jobs/"+waitSummary(t, in, tb.sessionID, tb.gm, 6)["job_id"].(string), tb.gm, nil, 200); j["message"] != "the built-in recaps are kept" {
			t.Errorf("job message %q", j["message"])
		}
		gmView, playerView := views(t, 6)
		if gmView["mode"] != "builtin" || gmView["player_mode"] != "builtin" || gmView["model"] != nil ||
			!strings.Contains(fmt.Sprint(gmView["fallback"]), "could not be reached") || len(gmView["gm_recap"].([]any)) == 0 {
			t.Errorf("GM view mode %v player_mode %v model %v fallback %v", gmView["mode"], gmView["player_mode"], gmView["model"], gmView["fallback"])
		}
		if strings.Contains(fmt.Sprint(gmView["fallback"]), "127.0.0.1") {
			t.Errorf("the fallback note names the server's address: %v", gmView["fallback"])
		}
		if playerView["mode"] != "builtin" || len(playerView["player_recap"].([]any)) == 0 {
			t.Errorf("player view mode %v recap %v", playerView["mode"], playerView["player_recap"])
		}
	})
}
