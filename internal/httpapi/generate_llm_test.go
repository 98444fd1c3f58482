package httpapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/generate/llmgen"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/llm/llmtest"
)

// TestGenerateLLMEncounterAndLocation: in LLM mode an encounter keeps the
// rules' monsters and gains flavour (or, the model failing, a note), and
// a saved location stores the model's named inhabitants as NPCs.
func TestGenerateLLMEncounterAndLocation(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	lc, err := llm.New(llm.Config{BaseURL: srv.URL, Model: srv.Model, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	c := newServer(t, withMonsters(backends[0].open, nil), serverOpts{generator: llmgen.New(lc, llmgen.Config{})})
	p := newParty(t, c)
	gm := p.token["gm"]
	crypt := c.must(201, "POST", p.path("/locations"), gm, map[string]any{"name": "Tomb of Kings", "location_type": "crypt"}).str("id")
	body := map[string]any{"party_level": 3, "party_size": 4, "difficulty": "hard", "location_id": crypt}

	flavour, _ := json.Marshal(llm.EncounterFlavour{Title: "The kings wake", ReadAloud: "Dust falls as the lids slide open.", Tactics: "They surround the weakest.", Terrain: []string{"sarcophagi for cover"}})
	srv.Script(llmtest.Reply{Content: string(flavour)})
	told := c.must(200, "POST", p.path("/generate/encounter")+"?seed=5", gm, body)
	srv.Script(llmtest.Reply{Status: 500})
	plain := c.must(200, "POST", p.path("/generate/encounter")+"?seed=5", gm, body)

	f, _ := told.body["flavour"].(map[string]any)
	if f["title"] != "The kings wake" || told.str("generator") != "llm" || told.str("model") != srv.Model || told.body["themed"] != true {
		t.Errorf("told encounter: %s", told.raw)
	}
	if string(mustJSON(t, told.body["monsters"])) != string(mustJSON(t, plain.body["monsters"])) || told.body["adjusted_xp"] != plain.body["adjusted_xp"] {
		t.Errorf("the model changed the rules' monsters:\n%s\n%s", told.raw, plain.raw)
	}
	notes, _ := plain.body["notes"].([]any)
	if plain.body["flavour"] != nil || plain.str("generator") != "builtin" ||
		!slices.ContainsFunc(notes, func(n any) bool { return strings.Contains(n.(string), "could not describe") }) {
		t.Errorf("encounter with the model down: %s", plain.raw)
	}
	prompt := srv.Requests()[0].Messages[1].Content
	if !strings.Contains(prompt, "Tomb of Kings (crypt)") {
		t.Errorf("the encounter prompt lacks the location: %q", prompt)
	}

	loc, _ := json.Marshal(llm.Location{Name: "Chapel of Bones", Description: "A low chapel under the Tomb of Kings.", Features: []string{"an ossuary wall"},
		Inhabitants: []string{"Brother Aldous, the sexton, hums hymns off-key", "bats in the rafters"}, Hooks: []string{"Aldous hears knocking below."}})
	srv.Script(llmtest.Reply{Content: string(loc)})
	r := c.must(201, "POST", p.path("/generate/location")+"?save=true", gm, map[string]any{"type": "chapel", "parent_id": crypt})
	stored, _ := r.body["location"].(map[string]any)
	inhabitants, _ := r.body["inhabitants"].([]any)
	if stored["name"] != "Chapel of Bones" || stored["parent_id"] != crypt || len(inhabitants) != 1 || inhabitants[0].(map[string]any)["name"] != "Brother Aldous" {
		t.Errorf("saved location: %s", r.raw)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
