package app_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/llm/embedtest"
)

// searchItems runs a campaign search and returns "name/match" of each item.
func searchItems(in *instance, campaignID, token, q string) []string {
	res := in.call("GET", "/campaigns/"+campaignID+"/search?q="+url.QueryEscape(q), token, nil, 200)
	var out []string
	items, _ := res["items"].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		out = append(out, fmt.Sprintf("%s/%s", m["name"], m["match"]))
	}
	return out
}

// TestSemanticSearch runs the app against a loopback embeddings server
// whose vectors are a bag of the text's words: the embedding job fills
// the vectors after the writes, and search blends in what is near the
// query in meaning, within the rules of visibility and below any name
// match.
func TestSemanticSearch(t *testing.T) {
	t.Parallel()
	srv := embedtest.Start(t)
	in := startInstance(t, config.Config{EmbeddingsBaseURL: srv.URL, EmbeddingsModel: "bow"},
		app.WithJobConfig(func(c *jobs.Config) {
			c.PollInterval = 50 * time.Millisecond
			c.Backoff = func(int) time.Duration { return 100 * time.Millisecond }
		}))
	if ai := readyAI(t, in); ai["embeddings"] != "bow" {
		t.Errorf("/readyz components.ai = %v, want embeddings bow", ai)
	}
	tb := setUpTable(t, in)
	base := "/campaigns/" + tb.campaignID
	npc := func(name, visibility, description string) {
		in.call("POST", base+"/characters", tb.gm, map[string]any{"name": name, "character_type": "npc", "visibility": visibility,
			"notes": map[string]any{"description": description}}, 201)
	}
	// The first server answers fail: the job is tried again.
	srv.FailNext(2)
	npc("Brom", "players", "Dwarf smith at the forge, fixed our axe")
	npc("Vess", "gm", "Dwarf spy at the forge, fixed our axe and stole the map")
	npc("Grel", "players", "bromm bromm bromm")
	npc("Lady Vex", "players", "Harbour master of Saltmarsh")

	// "yesterday" is in no text: the lexical search finds nothing, and
	// only meaning can.
	const q = "which dwarf fixed our axe yesterday"
	// Vectors come a poll or two after the writes: wait until the GM's
	// search finds both dwarves, and Grel is embedded too.
	deadline := time.Now().Add(60 * time.Second)
	for len(searchItems(in, tb.campaignID, tb.gm, q)) < 2 || len(searchItems(in, tb.campaignID, tb.p1, "bromm")) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the embeddings did not arrive: GM's search = %v", searchItems(in, tb.campaignID, tb.gm, q))
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := searchItems(in, tb.campaignID, tb.p1, q)
	if len(got) == 0 || got[0] != "Brom/semantic" {
		t.Fatalf("player's search %q = %v, want Brom/semantic first", q, got)
	}
	for _, g := range got {
		if g == "Vess/semantic" {
			t.Fatalf("a player found the GM-only Vess by similarity: %v", got)
		}
	}
	gmGot := searchItems(in, tb.campaignID, tb.gm, q)
	if len(gmGot) < 2 || gmGot[0] != "Brom/semantic" || gmGot[1] != "Vess/semantic" {
		t.Fatalf("GM's search %q = %v, want Brom then Vess, both semantic", q, gmGot)
	}
	// Grel's text is the query itself, the closest meaning there is; the
	// typo of Brom's name still comes first.
	if got := searchItems(in, tb.campaignID, tb.p1, "bromm"); len(got) < 2 || got[0] != "Brom/fuzzy" || got[1] != "Grel/semantic" {
		t.Fatalf("search bromm = %v, want Brom/fuzzy before Grel/semantic", got)
	}
	if got := searchItems(in, tb.campaignID, tb.p1, "harbour"); len(got) == 0 || got[0] != "Lady Vex/fulltext" {
		t.Fatalf("search harbour = %v, want Lady Vex by her text first", got)
	}
	if len(srv.Requests()) == 0 {
		t.Fatal("the embeddings server was never asked")
	}
}

// TestSemanticOff: without an embeddings model no vector is asked for,
// /readyz says so, and search answers lexically.
func TestSemanticOff(t *testing.T) {
	t.Parallel()
	in := startInstance(t, config.Config{})
	if ai := readyAI(t, in); ai["embeddings"] != "off" {
		t.Errorf("/readyz components.ai = %v, want embeddings off", ai)
	}
	tb := setUpTable(t, in)
	in.call("POST", "/campaigns/"+tb.campaignID+"/characters", tb.gm, map[string]any{"name": "Brom", "character_type": "npc", "visibility": "players",
		"notes": map[string]any{"description": "Dwarf smith at the forge, fixed our axe"}}, 201)
	if got := searchItems(in, tb.campaignID, tb.p1, "which dwarf fixed our axe yesterday"); len(got) != 0 {
		t.Fatalf("lexical search found %v", got)
	}
	if got := searchItems(in, tb.campaignID, tb.p1, "dwarf fixed axe"); len(got) != 1 || got[0] != "Brom/fulltext" {
		t.Fatalf("lexical search = %v", got)
	}
}
