package llmgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/gmc-project/gmc/internal/bench/overhead"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/llm/llmtest"
)

// bigCampaign is the campaign of the built-in generators' benchmark: 200
// characters (a third with a motivation, some with GM notes), 120
// locations, 60 threads with two hints each and 150 relationships.
func bigCampaign() *generate.Campaign {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &generate.Campaign{ID: "camp-bench", Name: "Benchmark"}
	first := []string{"Ara", "Bren", "Cael", "Dorn", "Elra", "Fenn", "Gavik", "Hesk", "Ilyx", "Jorun", "Kael", "Lira", "Morn", "Nix", "Orla"}
	last := []string{"Vikar", "Dorrow", "Ashel", "Brightmorn", "Ixley", "Stonehelm", "Vell", "Arandor"}
	for i := range 200 {
		ch := &gmc.Character{ID: fmt.Sprintf("c%03d", i), Name: first[i%len(first)] + " " + last[(i/len(first))%len(last)], CharacterType: gmc.CharacterNPC,
			Notes: json.RawMessage(`{}`), Visibility: gmc.VisiblePlayers, UpdatedAt: t0.Add(time.Duration(i) * time.Minute)}
		if i%3 == 0 {
			ch.Notes = json.RawMessage(`{"motivation":"wants to find the lost crown","occupation":"merchant"}`)
			ch.GMNotes = json.RawMessage(`{"secret":"serves the usurper"}`)
			ch.Visibility = gmc.VisibleGM
		}
		c.Characters = append(c.Characters, ch)
	}
	types := []string{"region", "city", "tavern", "crypt", "forest", "dungeon"}
	for i := range 120 {
		l := &gmc.Location{ID: fmt.Sprintf("l%03d", i), Name: fmt.Sprintf("Place %d", i), LocationType: types[i%len(types)],
			Description: "A place with a long description of its walls, its people and the way the wind smells in the evening.", UpdatedAt: t0}
		if i > 0 {
			l.ParentID = &c.Locations[(i-1)/3].ID
		}
		c.Locations = append(c.Locations, l)
	}
	statuses := []gmc.PlotStatus{gmc.PlotHook, gmc.PlotActive, gmc.PlotStalled, gmc.PlotResolved}
	for i := range 60 {
		p := &gmc.PlotThread{ID: fmt.Sprintf("p%03d", i), Title: fmt.Sprintf("Thread %d", i), Status: statuses[i%4], Summary: "Someone wants the lost crown back.",
			CharacterIDs: []string{c.Characters[i].ID, c.Characters[i+60].ID}, Milestones: []gmc.Milestone{{Title: "First step"}}, UpdatedAt: t0}
		c.Plots = append(c.Plots, p)
		for j := range 2 {
			c.Foreshadowing = append(c.Foreshadowing, &gmc.Foreshadowing{ID: fmt.Sprintf("f%03d-%d", i, j), PlotID: p.ID, Description: fmt.Sprintf("Hint %d of thread %d", j, i)})
		}
	}
	for i := range 150 {
		c.Relationships = append(c.Relationships, &gmc.Relationship{ID: fmt.Sprintf("r%03d", i), SourceID: c.Characters[i].ID, TargetID: c.Characters[(i+7)%200].ID,
			Kind: "rival", Attitude: i%201 - 100})
	}
	return c
}

// BenchmarkNPCOverhead times, on the same canned answer from the loopback
// server, a raw HTTP call with the very request the generator sends and
// Generator.NPC on a campaign of 380 entities (context selection, prompt,
// the call, validation, the name check and the mapping onto a draft),
// alternately, and reports the p50 and p99 of their difference: what the
// LLM path adds to the server's own time.
//
//	go test ./internal/generate/llmgen -run '^$' -bench NPCOverhead -benchtime 2000x
func BenchmarkNPCOverhead(b *testing.B) {
	srv := llmtest.New(b)
	answer, _ := json.Marshal(llm.NPC{Name: "Mirela Saltwhistle", Ancestry: "half-elf", Occupation: "smuggler",
		Appearance: "Weathered hands, a silver ring on every finger.", Personality: "Laughs at danger.", Ideal: "Freedom.",
		Bond: "Her brother rots in the gaol of Place 3.", Flaw: "Cannot resist a wager.", Motivation: "Buy her brother's release.",
		Secret: "She informs for Ara Vikar.", VoiceNotes: "Low and quick.", Attitude: "indifferent"})
	srv.Always(llmtest.Reply{Content: string(answer)})
	client, err := llm.New(llm.Config{BaseURL: srv.URL, Model: srv.Model, Concurrency: 1})
	if err != nil {
		b.Fatal(err)
	}
	g := New(client, Config{})
	c := bigCampaign()
	ctx := context.Background()
	req := generate.NPCRequest{Seed: 1, Hints: generate.NPCHints{Occupation: "smuggler who knows Ara Vikar"}}
	if _, err := g.NPC(ctx, c, req); err != nil {
		b.Fatal(err)
	}
	// The raw call sends what the generator sent.
	body, _ := json.Marshal(srv.Requests()[0].Body)
	srv.ForgetRequests()
	raw := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	rawCall := func() {
		resp, err := raw.Post(srv.URL+"/chat/completions", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	rawCall()
	generateCall := func() {
		if _, err := g.NPC(ctx, c, req); err != nil {
			b.Fatal(err)
		}
	}
	overhead.Measure(b, "generate", rawCall, generateCall)
}
