package llm

import (
	"bytes"
	"embed"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"text/template"
)

//go:embed prompts/*.tmpl
var promptFiles embed.FS

var promptTemplates = template.Must(template.New("prompts").ParseFS(promptFiles, "prompts/*.tmpl"))

// PromptData is what a prompt template reads.
type PromptData struct {
	Campaign string
	// Request is the game master's own words, if any.
	Request string
	// Context is the campaign knowledge chosen by SelectContext.
	Context []ContextItem
	// Params are the prompt's own settings; PromptSpec.Params lists the
	// ones it needs.
	Params     map[string]string
	Transcript []TranscriptLine
}

// TranscriptLine is one transcript segment, cited by its id as evidence.
type TranscriptLine struct {
	Segment int64
	Speaker string
	Text    string
}

// PromptSpec describes a prompt template: the Go type of its answer, who
// may read the answer, and its sampling settings.
type PromptSpec struct {
	Name        string
	Answer      reflect.Type
	Audience    Audience
	Params      []string
	Temperature float64
	MaxTokens   int
	// Stream is set for prompts with long answers, whose progress is worth
	// showing.
	Stream bool
	// NeedsTranscript is set for prompts about a session.
	NeedsTranscript bool
}

var promptSpecs = []PromptSpec{
	{Name: "npc", Answer: reflect.TypeFor[NPC](), Temperature: 0.9, MaxTokens: 1200},
	{Name: "location", Answer: reflect.TypeFor[Location](), Params: []string{"kind"}, Temperature: 0.9, MaxTokens: 1200},
	{Name: "encounter", Answer: reflect.TypeFor[EncounterFlavour](), Params: []string{"monsters", "difficulty", "location"}, Temperature: 0.8, MaxTokens: 1000},
	{Name: "plot_hooks", Answer: reflect.TypeFor[PlotHooks](), Params: []string{"count"}, Temperature: 0.8, MaxTokens: 1500},
	{Name: "session_summary_gm", Answer: reflect.TypeFor[SessionSummary](), Temperature: 0.2, MaxTokens: 4000, Stream: true, NeedsTranscript: true},
	{Name: "session_summary_player", Answer: reflect.TypeFor[SessionSummary](), Audience: ForPlayers, Temperature: 0.2, MaxTokens: 4000, Stream: true, NeedsTranscript: true},
	{Name: "session_recap_combine_gm", Answer: reflect.TypeFor[SessionRecap](), Temperature: 0.2, MaxTokens: 2000, Stream: true, NeedsTranscript: true},
	{Name: "session_recap_combine_player", Answer: reflect.TypeFor[SessionRecap](), Audience: ForPlayers, Temperature: 0.2, MaxTokens: 2000, Stream: true, NeedsTranscript: true},
	{Name: "proposals", Answer: reflect.TypeFor[Proposals](), Temperature: 0.1, MaxTokens: 3000, Stream: true, NeedsTranscript: true},
}

// Prompts lists the prompt templates.
func Prompts() []PromptSpec { return slices.Clone(promptSpecs) }

// LookupPrompt finds a prompt template by name.
func LookupPrompt(name string) (PromptSpec, bool) {
	for _, s := range promptSpecs {
		if s.Name == name {
			return s, true
		}
	}
	return PromptSpec{}, false
}

// Render fills a prompt template. A prompt for players refuses GM-only
// context outright rather than trusting every caller to have filtered it.
func Render(name string, data PromptData) (Prompt, error) {
	spec, ok := LookupPrompt(name)
	if !ok {
		return Prompt{}, fmt.Errorf("llm: no prompt named %q", name)
	}
	for _, p := range spec.Params {
		if strings.TrimSpace(data.Params[p]) == "" {
			return Prompt{}, fmt.Errorf("llm: prompt %s needs the parameter %q", name, p)
		}
	}
	if spec.NeedsTranscript && len(data.Transcript) == 0 {
		return Prompt{}, fmt.Errorf("llm: prompt %s needs a transcript", name)
	}
	if spec.Audience == ForPlayers {
		for _, it := range data.Context {
			if it.GMOnly {
				return Prompt{}, fmt.Errorf("llm: prompt %s is read by players but its context has the GM-only item %q", name, it.Name)
			}
		}
	}
	var sys, user bytes.Buffer
	if err := promptTemplates.ExecuteTemplate(&sys, name+".system", data); err != nil {
		return Prompt{}, fmt.Errorf("llm: prompt %s: %w", name, err)
	}
	if err := promptTemplates.ExecuteTemplate(&user, name+".user", data); err != nil {
		return Prompt{}, fmt.Errorf("llm: prompt %s: %w", name, err)
	}
	return Prompt{
		Name:        name,
		System:      strings.TrimSpace(sys.String()),
		User:        strings.TrimSpace(user.String()),
		Campaign:    data.Campaign,
		Temperature: spec.Temperature,
		MaxTokens:   spec.MaxTokens,
		Stream:      spec.Stream,
	}, nil
}
