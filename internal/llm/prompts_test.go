package llm

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/llm/llmtest"
)

func samplePromptData() PromptData {
	return PromptData{
		Campaign: "Ghosts of Saltmarsh",
		Request:  "someone who knows about the smugglers",
		Context: []ContextItem{
			{Name: "Saltmarsh", Type: "location", Text: "A fishing town on the coast."},
			{Name: "Mirela", Type: "npc", Text: "A smuggler who owes the party."},
		},
		Params: map[string]string{
			"kind": "ruin", "parent": "Saltmarsh", "monsters": "3 goblins, 1 bugbear", "difficulty": "hard",
			"location": "the old lighthouse", "count": "3",
		},
		Transcript: []TranscriptLine{
			{Segment: 11, Speaker: "GM", Text: "You reach the lighthouse."},
			{Segment: 12, Speaker: "Aria", Text: "I roll a natural 20 on perception!"},
		},
	}
}

func TestEveryPromptRendersWithItsSchema(t *testing.T) {
	t.Parallel()
	if len(Prompts()) != 9 {
		t.Fatalf("%d prompts", len(Prompts()))
	}
	for _, spec := range Prompts() {
		p, err := Render(spec.Name, samplePromptData())
		if err != nil {
			t.Errorf("%s: %v", spec.Name, err)
			continue
		}
		if p.Name != spec.Name || p.Campaign != "Ghosts of Saltmarsh" || p.MaxTokens == 0 || p.Stream != spec.Stream {
			t.Errorf("%s: prompt = %+v", spec.Name, p)
		}
		if !strings.Contains(p.System, "Ghosts of Saltmarsh") || !strings.Contains(p.User, "- Mirela (npc): A smuggler who owes the party.") {
			t.Errorf("%s: campaign or context missing:\n%s\n---\n%s", spec.Name, p.System, p.User)
		}
		if spec.NeedsTranscript && !strings.Contains(p.User, "[12] Aria: I roll a natural 20") {
			t.Errorf("%s: transcript missing:\n%s", spec.Name, p.User)
		}
		if strings.Contains(p.System+p.User, "<no value>") {
			t.Errorf("%s: a template read a missing value", spec.Name)
		}
		if e := schemaOf(spec.Answer); e.err != nil || e.schema.Type != "object" {
			t.Errorf("%s: answer type %v: %v", spec.Name, spec.Answer, e.err)
		}
		if !schemaName.MatchString(spec.Name) {
			t.Errorf("%s is not a valid schema name", spec.Name)
		}
	}
}

func TestRenderChecksItsInput(t *testing.T) {
	t.Parallel()
	d := samplePromptData()
	if _, err := Render("dragon", d); err == nil {
		t.Error("unknown prompt rendered")
	}
	noKind := samplePromptData()
	delete(noKind.Params, "kind")
	if _, err := Render("location", noKind); err == nil || !strings.Contains(err.Error(), `"kind"`) {
		t.Errorf("location without kind: %v", err)
	}
	noTranscript := samplePromptData()
	noTranscript.Transcript = nil
	if _, err := Render("proposals", noTranscript); err == nil {
		t.Error("proposals without a transcript rendered")
	}
	secret := samplePromptData()
	secret.Context = append(secret.Context, ContextItem{Name: "The Drowned King", Type: "npc", Text: "Secretly the mayor.", GMOnly: true})
	if _, err := Render("session_summary_player", secret); err == nil || !strings.Contains(err.Error(), "GM-only") {
		t.Errorf("player summary with GM-only context: %v", err)
	}
	p, err := Render("session_summary_gm", secret)
	if err != nil || !strings.Contains(p.User, "Secretly the mayor.") {
		t.Errorf("GM summary with GM-only context: %v", err)
	}
	if spec, _ := LookupPrompt("session_summary_player"); spec.Audience != ForPlayers || spec.Answer != reflect.TypeFor[SessionSummary]() {
		t.Errorf("player summary spec = %+v", spec)
	}
}

func TestPromptsEndToEnd(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	c := newTestClient(t, srv, nil)
	npc := `{"name":"Mirela","ancestry":"human","occupation":"smuggler","appearance":"Tar-stained coat.","personality":"Wry.",` +
		`"ideal":"Freedom.","bond":"Her brother.","flaw":"Gambles.","motivation":"Pay a debt.","secret":"Informs for the mayor.",` +
		`"voice_notes":"Low and quick.","attitude":"wary"}`
	srv.Script(llmtest.Reply{Content: npc}, llmtest.Reply{Content: strings.Replace(npc, "wary", "indifferent", 1)})
	p, err := Render("npc", samplePromptData())
	if err != nil {
		t.Fatal(err)
	}
	res, err := Generate[NPC](context.Background(), c.Client, p)
	if err != nil || !res.Repaired || res.Value.Attitude != "indifferent" || res.Value.VoiceNotes != "Low and quick." {
		t.Fatalf("npc = %+v, %v; want the repaired attitude", res, err)
	}
	if m := srv.Requests()[1].Messages; !strings.Contains(m[3].Content, `/attitude: "wary" is not one of friendly, indifferent, hostile`) {
		t.Errorf("repair request = %q", m[3].Content)
	}

	summary := `{"title":"The Lighthouse","recap":"The party reached the lighthouse.","scenes":[{"kind":"exploration","summary":"Arrival.","first_segment":11,"last_segment":12}],` +
		`"plot_points":[],"achievements":[{"text":"Aria rolled a natural 20.","segments":[12]}]}`
	srv.Script(llmtest.Reply{Content: summary, ChunkSize: 16})
	p, err = Render("session_summary_player", samplePromptData())
	if err != nil {
		t.Fatal(err)
	}
	var progress int
	p.Progress = func(received, _ int) { progress = received }
	s, err := Complete[SessionSummary](context.Background(), c.Client, p)
	if err != nil || len(s.Scenes) != 1 || s.Achievements[0].Segments[0] != 12 || progress != len(summary) {
		t.Fatalf("summary = %+v, %v (progress %d)", s, err, progress)
	}
	if last := srv.Requests()[2]; !last.Stream || last.Body["response_format"].(map[string]any)["json_schema"].(map[string]any)["name"] != "session_summary_player" {
		t.Errorf("summary request = %v", last.Body)
	}
}
