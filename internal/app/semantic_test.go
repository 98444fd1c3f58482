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

// searchItems runs a campaign search and returns "name/match" of each
// item, "line <seq>/match" of a transcript line.
func searchItems(in *instance, campaignID, token, q string) []string {
	var out []string
	for _, m := range searchResults(in, campaignID, token, q) {
		name := m["name"]
		if seg, ok := m["segment"].(map[string]any); ok {
			name = fmt.Sprintf("line %v", seg["seq"])
		}
		out = append(out, fmt.Sprintf("%s/%s", name, m["match"]))
	}
	return out
}

// searchResults runs a campaign search and returns its items.
func searchResults(in *instance, campaignID, token, q string) []map[string]any {
	res := in.call("GET", "/campaigns/"+campaignID+"/search?q="+url.QueryEscape(q), token, nil, 200)
	var out []map[string]any
	items, _ := res["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	return out
}

// lineOf returns the segment item of search results at seq, nil if none.
func lineOf(items []map[string]any, sessionID string, seq float64) map[string]any {
	for _, it := range items {
		if seg, ok := it["segment"].(map[string]any); ok && it["type"] == "segment" && seg["session_id"] == sessionID && seg["seq"] == seq {
			return it
		}
	}
	return nil
}

// TestSemanticSearch runs the app against a loopback embeddings server
// whose vectors are a bag of the text's words: the embedding job fills
// the vectors after the writes, and search blends in what is near the
// query in meaning, entities and transcript lines, within the rules of
// visibility and below any name match.
func TestSemanticSearch(t *testing.T) {
	t.Parallel()
	srv := embedtest.Start(t)
	// The vectors are kept in memory between lookups, as by default.
	in := startInstance(t, config.Config{EmbeddingsBaseURL: srv.URL, EmbeddingsModel: "bow", EmbeddingsCacheBytes: 64 << 20},
		app.WithJobConfig(func(c *jobs.Config) {
			c.PollInterval = 50 * time.Millisecond
			c.Backoff = func(int) time.Duration { return 100 * time.Millisecond }
		}))
	if ai := readyAI(t, in); ai["embeddings"] != "bow" {
		t.Errorf("/readyz components.ai = %v, want embeddings bow", ai)
	}
	tb := setUpTable(t, in)
	base := "/campaigns/" + tb.campaignID
	npc := func(name, visibility, description string) string {
		return in.call("POST", base+"/characters", tb.gm, map[string]any{"name": name, "character_type": "npc", "visibility": visibility,
			"notes": map[string]any{"description": description}}, 201)["id"].(string)
	}
	// The first server answers fail: the job is tried again.
	srv.FailNext(2)
	npc("Brom", "players", "Dwarf smith at the forge, fixed our axe")
	vess := npc("Vess", "gm", "Dwarf spy at the forge, fixed our axe and stole the map")
	npc("Grel", "players", "bromm bromm bromm")
	npc("Lady Vex", "players", "Harbour master of Saltmarsh")
	// What was said at the table; the GM voiced the secret Vess as B.
	in.call("PUT", "/sessions/"+tb.sessionID+"/speakers", tb.gm, map[string]any{"speakers": []any{
		map[string]any{"label": "B", "character_id": vess}}}, 200)
	stored := in.call("POST", "/sessions/"+tb.sessionID+"/transcript/segments", tb.gm, map[string]any{"segments": []any{
		map[string]any{"speaker_label": "A", "start_ms": 0, "end_ms": 900, "text": "Roll for initiative, the goblins attack"},
		map[string]any{"speaker_label": "B", "start_ms": 1000, "end_ms": 1900, "text": "Good as new, the dwarf fixed my axe"},
	}}, 201)["items"].([]any)
	lineSeq := stored[1].(map[string]any)["seq"].(float64)
	lineName := fmt.Sprintf("line %v/semantic", lineSeq)
	// Another campaign, which the players are not in, holds a line nearer
	// the query than any of this one.
	other := in.call("POST", "/campaigns", tb.gm, map[string]any{"name": "Elsewhere"}, 201)["id"].(string)
	otherSession := in.call("POST", "/campaigns/"+other+"/sessions", tb.gm, map[string]any{"title": "Far away"}, 201)["id"].(string)
	otherSeq := in.call("POST", "/sessions/"+otherSession+"/transcript/segments", tb.gm, map[string]any{"segments": []any{
		map[string]any{"speaker_label": "A", "start_ms": 0, "end_ms": 900, "text": "Which dwarf fixed the axe, Brom?"}}}, 201)["items"].([]any)[0].(map[string]any)["seq"].(float64)

	// "yesterday" is in no text: the lexical search, which wants every
	// word of the query but its stop words ("which", "our"), finds no
	// entity and no line, and only meaning can. The bag-of-words vectors
	// of Brom, Vess and the line share "dwarf", "fixed" and "axe" with
	// the query; a line found by meaning alone ranks after every entity
	// so found, so Brom comes first and the line last.
	const q = "which dwarf fixed our axe yesterday"
	// Vectors come a poll or two after the writes: wait until the GM's
	// search finds both dwarves and the line, Grel is embedded, and so is
	// the other campaign's line.
	deadline := time.Now().Add(60 * time.Second)
	for len(searchItems(in, tb.campaignID, tb.gm, q)) < 3 || len(searchItems(in, tb.campaignID, tb.p1, "bromm")) < 2 ||
		lineOf(searchResults(in, other, tb.gm, q), otherSession, otherSeq) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the embeddings did not arrive: GM's search = %v", searchItems(in, tb.campaignID, tb.gm, q))
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := searchItems(in, tb.campaignID, tb.p1, q)
	if len(got) != 2 || got[0] != "Brom/semantic" || got[1] != lineName {
		t.Fatalf("player's search %q = %v, want Brom/semantic first, then the line where it was said", q, got)
	}
	line := lineOf(searchResults(in, tb.campaignID, tb.p1, q), tb.sessionID, lineSeq)
	seg, _ := line["segment"].(map[string]any)
	if line == nil || line["highlight"] != "Good as new, the dwarf fixed my axe" || seg["start_ms"] != 1000.0 || seg["end_ms"] != 1900.0 ||
		seg["speaker_label"] != "B" || seg["session_title"] != "Night one" || seg["at"] == "" {
		t.Fatalf("the line found by meaning = %v, want its session, seq, times, speaker and text", line)
	}
	// The player reads the line, not who the GM voiced in it.
	if sp, _ := seg["speaker"].(map[string]any); seg["speaker_name"] != "B" || sp["character_id"] != nil {
		t.Errorf("a player's line shows speaker %v (%v), want label B without the GM-only Vess", seg["speaker_name"], sp)
	}
	if line := lineOf(searchResults(in, tb.campaignID, tb.gm, q), tb.sessionID, lineSeq); line == nil || line["segment"].(map[string]any)["speaker_name"] != "Vess" {
		t.Errorf("the GM's line = %v, want Vess speaking", line)
	}
	for _, it := range searchResults(in, tb.campaignID, tb.p1, q) {
		if seg, ok := it["segment"].(map[string]any); ok && seg["session_id"] == otherSession {
			t.Fatalf("a player found a line of a campaign they are not in: %v", it)
		}
	}
	for _, g := range got {
		if g == "Vess/semantic" {
			t.Fatalf("a player found the GM-only Vess by similarity: %v", got)
		}
	}
	gmGot := searchItems(in, tb.campaignID, tb.gm, q)
	if len(gmGot) != 3 || gmGot[0] != "Brom/semantic" || gmGot[1] != "Vess/semantic" || gmGot[2] != lineName {
		t.Fatalf("GM's search %q = %v, want Brom then Vess, both semantic, then the line", q, gmGot)
	}
	// A line found by its words and its meaning is the lexical match,
	// once; types=segment keeps lines only.
	res := in.call("GET", base+"/search?types=segment&q="+url.QueryEscape("the dwarf fixed my axe"), tb.p1, nil, 200)
	items, _ := res["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["match"] != "fulltext" || items[0].(map[string]any)["segment"].(map[string]any)["seq"] != lineSeq {
		t.Fatalf("lines of %q = %v, want the line once, by its words", "the dwarf fixed my axe", items)
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
