package summary_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/llm/llmtest"
	"github.com/gmc-project/gmc/internal/summary"
)

// harbourSession is a short session with a GM-only NPC (Vess, "the
// Whisper") spoken of and speaking, a GM-only keyword, and a visible NPC.
func harbourSession() summary.SummaryInput {
	seg := func(seq int64, speaker, charID, text string) summary.Segment {
		return summary.Segment{ID: fmt.Sprintf("seg-%d", seq), Seq: seq, StartMS: seq * 5000, EndMS: seq*5000 + 4000, Speaker: speaker, CharacterID: charID, Text: text}
	}
	return summary.SummaryInput{
		CampaignID: "camp-1",
		Campaign:   "Lamps of Saltmarsh",
		Characters: []summary.Entity{
			{ID: "c-lyra", Name: "Lyra", Kind: "pc"},
			{ID: "c-marta", Name: "Marta", Kind: "npc"},
			{ID: "c-vess", Name: "Vess", Aliases: []string{"the Whisper"}, Kind: "npc", GMOnly: true},
		},
		Secrets: []string{"Sunless Pact"},
		Segments: []summary.Segment{
			seg(1, "GM", "", "You arrive at the harbour at dusk; Marta the fishmonger waves you over."),
			seg(2, "Lyra", "c-lyra", "I ask Marta who has been buying all the lamp oil in town."),
			seg(3, "GM", "", "Marta says quietly that Vess, the one they call the Whisper, bought every barrel for the Sunless Pact."),
			seg(4, "Vess", "c-vess", "Nobody leaves this harbour tonight without my leave, travellers."),
			seg(5, "Lyra", "c-lyra", "I draw my rapier and we fight the dockhands on the pier."),
			seg(6, "GM", "", "The dockhands fall into the water and the pier is quiet again."),
		},
	}
}

func summaryAnswer(recap string, scenes ...llm.SummaryScene) string {
	b, _ := json.Marshal(llm.SessionSummary{Title: "At the harbour", Recap: recap, Scenes: scenes, PlotPoints: []llm.SummaryFact{}, Achievements: []llm.SummaryFact{}})
	return string(b)
}

func scene(kind, text string, first, last int64) llm.SummaryScene {
	return llm.SummaryScene{Kind: kind, Summary: text, FirstSegment: first, LastSegment: last}
}

var (
	gmAnswer = summaryAnswer("The party learnt from Marta that Vess bought the lamp oil, then fought the dockhands.",
		scene("roleplay", "Marta names Vess as the buyer of the oil.", 1, 4), scene("combat", "The party beats the dockhands.", 5, 6))
	playerAnswer = summaryAnswer("The party learnt from Marta that someone bought the lamp oil, then fought the dockhands.",
		scene("roleplay", "Marta tells of a buyer of the oil.", 1, 4), scene("combat", "The party beats the dockhands.", 5, 6))
)

func newClient(t *testing.T, srv *llmtest.Server) *llm.Client {
	t.Helper()
	c, err := llm.New(llm.Config{BaseURL: srv.URL, Model: srv.Model, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// hasWord reports whether text has w as whole words, any case.
func hasWord(text, w string) bool {
	return regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(w) + `\b`).MatchString(text)
}

// requestText is everything a request sent.
func requestText(r llmtest.Request) string {
	var b strings.Builder
	for _, m := range r.Messages {
		b.WriteString(m.Content + "\n")
	}
	return b.String()
}

// hiddenWords are what the player prompts and recap must never contain.
var hiddenWords = []string{"vess", "whisper", "sunless pact"}

func TestLLMRecaps(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.Script(llmtest.Reply{Content: gmAnswer, ChunkSize: 32}, llmtest.Reply{Content: playerAnswer, ChunkSize: 32})
	c := newClient(t, srv)
	in := harbourSession()
	var fractions []float64
	in.Progress = func(f float64, _ string) { fractions = append(fractions, f) }
	out, err := summary.LLM{Client: c}.Summarize(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Mode != "llm" || out.PlayerMode != "llm" || out.Model != srv.Model || out.Fallback != "" {
		t.Errorf("mode %q player mode %q model %q fallback %q", out.Mode, out.PlayerMode, out.Model, out.Fallback)
	}
	want := []gmc.RecapLine{
		{Text: "The party learnt from Marta that Vess bought the lamp oil, then fought the dockhands.", Evidence: gmc.Evidence{SegmentIDs: []string{"seg-1", "seg-5"}}},
		{Text: "Marta names Vess as the buyer of the oil.", Evidence: gmc.Evidence{SegmentIDs: []string{"seg-1", "seg-2", "seg-3", "seg-4"}}},
		{Text: "The party beats the dockhands.", Evidence: gmc.Evidence{SegmentIDs: []string{"seg-5", "seg-6"}}},
	}
	if got, _ := json.Marshal(out.GMRecap); string(got) != string(must(json.Marshal(want))) {
		t.Errorf("GM recap = %s", got)
	}
	if len(out.PlayerRecap) != 3 || out.PlayerRecap[1].Text != "Marta tells of a buyer of the oil." {
		t.Errorf("player recap = %+v", out.PlayerRecap)
	}
	// The facts are the built-in pass's.
	builtin, err := summary.Builtin{}.Summarize(context.Background(), harbourSession())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(out.Scenes, builtin.Scenes, func(a, b gmc.Scene) bool { return a.Kind == b.Kind && a.FirstSeq == b.FirstSeq }) ||
		len(out.Proposals) != len(builtin.Proposals) || len(out.Entities) != len(builtin.Entities) {
		t.Errorf("facts differ from the built-in pass: %d scenes, %d proposals", len(out.Scenes), len(out.Proposals))
	}

	reqs := srv.Requests()
	if len(reqs) != 2 || !reqs[0].Stream || !reqs[1].Stream {
		t.Fatalf("%d requests, want two streamed", len(reqs))
	}
	gmReq, playerReq := requestText(reqs[0]), requestText(reqs[1])
	if !strings.Contains(gmReq, "- Vess (NPC, GM only): also called the Whisper") {
		t.Errorf("the GM prompt lacks the GM-only NPC's context:\n%s", gmReq)
	}
	if !strings.Contains(gmReq, "[3] GM: Marta says quietly that Vess") || !strings.Contains(gmReq, "Lamps of Saltmarsh") {
		t.Errorf("GM prompt:\n%s", gmReq)
	}
	for _, w := range hiddenWords {
		if hasWord(playerReq, w) {
			t.Errorf("the player prompt contains %q:\n%s", w, playerReq)
		}
	}
	if !strings.Contains(playerReq, "[4] Someone: Nobody leaves") || !strings.Contains(playerReq, "- Marta (NPC)") {
		t.Errorf("player prompt:\n%s", playerReq)
	}
	if u := c.Usage("camp-1"); u.Calls != 2 || u.PromptTokens == 0 || u.CompletionTokens == 0 {
		t.Errorf("usage of the campaign = %+v", u)
	}
	if !slices.IsSorted(fractions) || fractions[len(fractions)-1] < 0.9 {
		t.Errorf("progress = %v, want rising to 0.9 or more", fractions)
	}
	var streamed int
	for _, f := range fractions {
		if f > 0.3 && f < 0.625 {
			streamed++
		}
	}
	if streamed < 3 {
		t.Errorf("progress while the GM recap streamed: %d reports, want several (%v)", streamed, fractions)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestLLMPlayerRecapLeak: a player recap that names a GM-only thing (by
// name or alias, any case, possessive) is asked for once more without it,
// then replaced by the built-in player recap; a word that merely contains
// a hidden name is no leak.
func TestLLMPlayerRecapLeak(t *testing.T) {
	t.Parallel()
	leak := func(text string) string {
		return summaryAnswer(text, scene("roleplay", "Marta tells of a buyer of the oil.", 1, 4))
	}
	for _, tc := range []struct {
		name    string
		replies []string
		// mode is the player recap's; requests how many were made.
		mode     string
		requests int
	}{
		{"clean", []string{playerAnswer}, "llm", 2},
		{"substring is no leak", []string{leak("The party boarded a vessel at the harbour.")}, "llm", 2},
		{"name repaired", []string{leak("Vess bought the lamp oil."), playerAnswer}, "llm", 3},
		{"alias in capitals repaired", []string{leak("THE WHISPER's men bought the oil."), playerAnswer}, "llm", 3},
		{"secret repaired", []string{leak("The oil went to the sunless pact."), playerAnswer}, "llm", 3},
		{"possessive, still leaking", []string{leak("Vess's men bought the oil."), leak("The oil went to Vess.")}, "builtin", 3},
		{"repair keeps the mark", []string{leak("Vess bought the oil."), leak("[hidden] bought the oil.")}, "builtin", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.New(t)
			srv.Script(llmtest.Reply{Content: gmAnswer})
			for _, r := range tc.replies {
				srv.Script(llmtest.Reply{Content: r})
			}
			out, err := summary.LLM{Client: newClient(t, srv)}.Summarize(context.Background(), harbourSession())
			if err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()
			if out.Mode != "llm" || out.PlayerMode != tc.mode || len(reqs) != tc.requests {
				t.Fatalf("mode %q, player mode %q, %d requests; want llm, %s, %d", out.Mode, out.PlayerMode, len(reqs), tc.mode, tc.requests)
			}
			pv, _ := json.Marshal(out.SessionSummary.ForPlayers())
			if strings.Contains(string(pv), "[hidden]") {
				t.Errorf("the player view keeps the repair's mark: %s", pv)
			}
			for _, w := range hiddenWords {
				if hasWord(string(pv), w) {
					t.Errorf("the player view contains %q: %s", w, pv)
				}
			}
			for _, r := range reqs[1:] {
				for _, w := range hiddenWords {
					if hasWord(requestText(r), w) {
						t.Errorf("a player request contains %q", w)
					}
				}
			}
			if tc.requests == 3 {
				if last := reqs[2].Messages[len(reqs[2].Messages)-1].Content; !strings.Contains(last, "[hidden]") || !strings.Contains(last, "players must not know") {
					t.Errorf("the repair request does not show what to remove: %q", last)
				}
			}
			if tc.mode == "builtin" {
				builtin, _ := summary.Builtin{}.Summarize(context.Background(), harbourSession())
				if !strings.Contains(out.Fallback, "GM-only") || string(must(json.Marshal(out.PlayerRecap))) != string(must(json.Marshal(builtin.PlayerRecap))) {
					t.Errorf("fallback %q, player recap %+v", out.Fallback, out.PlayerRecap)
				}
				if pv := out.SessionSummary.ForPlayers(); pv.Mode != "builtin" || pv.Model != "" || pv.Fallback != "" {
					t.Errorf("player view mode %q model %q fallback %q", pv.Mode, pv.Model, pv.Fallback)
				}
			}
		})
	}
}

// TestLLMLongSession: a transcript over the budget is summarised part by
// part, each request carrying only its part, and the parts' recaps are
// combined.
func TestLLMLongSession(t *testing.T) {
	t.Parallel()
	in := summary.SummaryInput{CampaignID: "camp-1", Campaign: "Lamps of Saltmarsh"}
	for i := range 6 {
		seq := int64(i + 1)
		in.Segments = append(in.Segments, summary.Segment{ID: fmt.Sprintf("seg-%d", seq), Seq: seq, StartMS: seq * 5000, EndMS: seq*5000 + 4000,
			Speaker: "GM", Text: fmt.Sprintf("Line %d of the long talk about the harbour and its lamps.", seq)})
	}
	// Two lines fit a part, three do not: three parts.
	cost := llm.EstimateTokens("GM") + llm.EstimateTokens(in.Segments[0].Text) + 6
	srv := llmtest.New(t)
	recap := func(text string) string {
		b, _ := json.Marshal(llm.SessionRecap{Title: "At the harbour", Recap: text})
		return string(b)
	}
	for _, who := range []string{"GM", "player"} {
		for k := 1; k <= 3; k++ {
			srv.Script(llmtest.Reply{Content: summaryAnswer(fmt.Sprintf("%s part %d.", who, k), scene("roleplay", fmt.Sprintf("%s scene %d.", who, k), 0, 100))})
		}
		srv.Script(llmtest.Reply{Content: recap(who + " whole session.")})
	}
	out, err := summary.LLM{Client: newClient(t, srv), TranscriptBudget: 5 * cost / 2}.Summarize(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 8 || out.Mode != "llm" || out.PlayerMode != "llm" {
		t.Fatalf("%d requests, modes %q %q (fallback %q)", len(reqs), out.Mode, out.PlayerMode, out.Fallback)
	}
	for i, r := range reqs {
		text := requestText(r)
		k := i%4 + 1
		if k == 4 {
			name := r.Body["response_format"].(map[string]any)["json_schema"].(map[string]any)["name"]
			if (name != "session_recap_combine_gm" && name != "session_recap_combine_player") || !strings.Contains(text, "Part 2: GM part 2.") && !strings.Contains(text, "Part 2: player part 2.") {
				t.Errorf("request %d does not combine the parts:\n%s", i, text)
			}
			continue
		}
		if !strings.Contains(text, fmt.Sprintf("part %d of 3", k)) || !strings.Contains(text, fmt.Sprintf("[%d] ", 2*k-1)) ||
			strings.Contains(text, fmt.Sprintf("[%d] ", 2*k+1)) {
			t.Errorf("request %d does not carry part %d alone:\n%s", i, k, text)
		}
	}
	want := []gmc.RecapLine{
		{Text: "GM whole session.", Evidence: gmc.Evidence{SegmentIDs: []string{"seg-1", "seg-3", "seg-5"}}},
		{Text: "GM scene 1.", Evidence: gmc.Evidence{SegmentIDs: []string{"seg-1", "seg-2"}}},
		{Text: "GM scene 2.", Evidence: gmc.Evidence{SegmentIDs: []string{"seg-3", "seg-4"}}},
		{Text: "GM scene 3.", Evidence: gmc.Evidence{SegmentIDs: []string{"seg-5", "seg-6"}}},
	}
	if got := must(json.Marshal(out.GMRecap)); string(got) != string(must(json.Marshal(want))) {
		t.Errorf("GM recap = %s", got)
	}
	if len(out.PlayerRecap) != 4 || out.PlayerRecap[0].Text != "player whole session." {
		t.Errorf("player recap = %+v", out.PlayerRecap)
	}
}

// TestLLMFallback: when the model fails, the built-in recaps are kept and
// the summary says why; only a cancelled job is an error.
func TestLLMFallback(t *testing.T) {
	t.Parallel()
	builtin, err := summary.Builtin{}.Summarize(context.Background(), harbourSession())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		replies []llmtest.Reply
		down    bool
		why     string
	}{
		{name: "server down", down: true, why: "could not be reached"},
		{name: "invalid after repair", replies: []llmtest.Reply{{Content: `{"title": "x"`}, {Content: `{"title": "x", "recap": ""}`}}, why: "did not match its schema"},
		{name: "server error", replies: []llmtest.Reply{{Status: 503}, {Status: 503}}, why: "answered 503"},
		{name: "no evidence", replies: []llmtest.Reply{{Content: summaryAnswer("Things happened.", scene("combat", "A fight.", 40, 50))}}, why: "cited no segment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.New(t)
			srv.Script(tc.replies...)
			c := newClient(t, srv)
			if tc.down {
				srv.Close()
			}
			out, err := summary.LLM{Client: c}.Summarize(context.Background(), harbourSession())
			if err != nil {
				t.Fatal(err)
			}
			if out.Mode != "builtin" || out.PlayerMode != "builtin" || out.Model != "" || !strings.Contains(out.Fallback, tc.why) {
				t.Errorf("mode %q/%q model %q fallback %q; want builtin and %q", out.Mode, out.PlayerMode, out.Model, out.Fallback, tc.why)
			}
			if string(must(json.Marshal(out.GMRecap))) != string(must(json.Marshal(builtin.GMRecap))) ||
				string(must(json.Marshal(out.PlayerRecap))) != string(must(json.Marshal(builtin.PlayerRecap))) {
				t.Error("the recaps are not the built-in ones")
			}
		})
	}
	t.Run("slower than the job's time", func(t *testing.T) {
		t.Parallel()
		srv := llmtest.New(t)
		srv.Always(llmtest.Reply{Content: gmAnswer, Delay: time.Minute})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		out, err := summary.LLM{Client: newClient(t, srv)}.Summarize(ctx, harbourSession())
		if err != nil || ctx.Err() != nil {
			t.Fatalf("err %v, ctx %v: want the built-in recaps within the job's time", err, ctx.Err())
		}
		if out.Mode != "builtin" || !strings.Contains(out.Fallback, "in time") {
			t.Errorf("mode %q fallback %q", out.Mode, out.Fallback)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		srv := llmtest.New(t)
		ctx, cancel := context.WithCancel(context.Background())
		in := harbourSession()
		in.Progress = func(f float64, _ string) {
			if f > 0.3 {
				cancel()
			}
		}
		srv.Always(llmtest.Reply{Content: gmAnswer})
		if _, err := (summary.LLM{Client: newClient(t, srv)}).Summarize(ctx, in); err == nil {
			t.Error("a cancelled summary succeeded")
		}
	})
}

// TestLLMPlayerPromptMasksDetections: a GM-only name the recogniser
// misheard ("Vest" for Vess) is masked in the player prompt where the
// keyword engine detected it, and a hidden place is told as "somewhere".
func TestLLMPlayerPromptMasksDetections(t *testing.T) {
	t.Parallel()
	in := harbourSession()
	in.Locations = []summary.Entity{{ID: "l-vault", Name: "Grey Vault", Kind: "location", GMOnly: true}}
	in.Segments[5].Text = "Vest runs off towards the Grey Vault while the dockhands fall into the water."
	in.Hits = []*gmc.KeywordHit{{SegmentID: "seg-6", Seq: 6, Name: "Vess", TermKey: "character:c-vess", Span: [2]int{0, 4}, Surface: "Vest", GMOnly: true}}
	srv := llmtest.New(t)
	srv.Script(llmtest.Reply{Content: gmAnswer}, llmtest.Reply{Content: playerAnswer})
	if _, err := (summary.LLM{Client: newClient(t, srv)}).Summarize(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if gm := requestText(reqs[0]); !strings.Contains(gm, "[6] GM: Vest runs off towards the Grey Vault") {
		t.Errorf("the GM prompt should carry the transcript as said:\n%s", gm)
	}
	player := requestText(reqs[1])
	if !strings.Contains(player, "[6] GM: something runs off towards the somewhere while") {
		t.Errorf("player prompt:\n%s", player)
	}
	for _, w := range append(hiddenWords, "vest", "grey vault") {
		if hasWord(player, w) {
			t.Errorf("the player prompt contains %q", w)
		}
	}
}

// TestLLMScriptPlayerPrompt: over the written session, split in parts,
// no player request names a GM-only character, and every part's
// transcript reaches the model once per recap.
func TestLLMScriptPlayerPrompt(t *testing.T) {
	t.Parallel()
	s := loadScript(t)
	srv := llmtest.New(t)
	last := s.in.Segments[len(s.in.Segments)-1].Seq
	srv.Always(llmtest.Reply{Content: summaryAnswer("The party's evening.", scene("roleplay", "Talk and a fight.", 1, last))})
	out, err := summary.LLM{Client: newClient(t, srv), TranscriptBudget: 100_000}.Summarize(context.Background(), s.in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Mode != "llm" || out.PlayerMode != "llm" {
		t.Fatalf("modes %q %q (fallback %q)", out.Mode, out.PlayerMode, out.Fallback)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	gm, player := requestText(reqs[0]), requestText(reqs[1])
	for _, n := range s.GMOnlyNames {
		if !hasWord(gm, n) {
			t.Errorf("the GM prompt lacks %q, so the player check proves nothing", n)
		}
		if hasWord(player, n) {
			t.Errorf("the player prompt names %q", n)
		}
	}
	for _, seg := range s.in.Segments {
		if !strings.Contains(player, fmt.Sprintf("[%d] ", seg.Seq)) {
			t.Errorf("the player prompt lacks segment %d", seg.Seq)
		}
	}
}

// BenchmarkLLMSummarize is a summary of the written session in LLM mode
// against the loopback server: the built-in pass, two requests and the
// checks. Compare with BenchmarkBuiltinSummarize for the model path's cost.
func BenchmarkLLMSummarize(b *testing.B) {
	s := loadScript(b)
	srv := llmtest.New(b)
	srv.ForgetRequests()
	last := s.in.Segments[len(s.in.Segments)-1].Seq
	srv.Always(llmtest.Reply{Content: summaryAnswer("The party's evening.", scene("roleplay", "Talk and a fight.", 1, last)), ChunkSize: 64})
	c, err := llm.New(llm.Config{BaseURL: srv.URL, Model: srv.Model})
	if err != nil {
		b.Fatal(err)
	}
	m := summary.LLM{Client: c}
	for b.Loop() {
		out, err := m.Summarize(context.Background(), s.in)
		if err != nil || out.Mode != "llm" || out.PlayerMode != "llm" {
			b.Fatalf("%v %q %q", err, out.Mode, out.Fallback)
		}
	}
}

func BenchmarkBuiltinSummarize(b *testing.B) {
	s := loadScript(b)
	for b.Loop() {
		if _, err := (summary.Builtin{}).Summarize(context.Background(), s.in); err != nil {
			b.Fatal(err)
		}
	}
}
