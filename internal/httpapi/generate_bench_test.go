package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/gmc-project/gmc/internal/bench/overhead"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/generate/llmgen"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/llm/llmtest"
	"github.com/gmc-project/gmc/internal/service"
)

// BenchmarkGenerate measures each generator through the real HTTP stack,
// one request at a time, a new seed each time, on a campaign of 200
// characters (a third with a motivation), 120 locations, 60 plot threads
// with two hints each and 150 relationships, with the SRD monsters
// imported; it reports p50 and p99 latency:
//
//	go test ./internal/httpapi -run '^$' -bench Generate -benchtime 300x
func BenchmarkGenerate(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			c := newServer(b, withMonsters(be.open, nil), serverOpts{})
			p := newParty(b, c)
			crypt := seedGenerationCampaign(b, c.svc, p)
			gm := p.token["gm"]
			seed := 0
			post := func(path, body string) func() (*http.Request, error) {
				return func() (*http.Request, error) {
					seed++
					req, err := http.NewRequest("POST", fmt.Sprintf("%s%s?seed=%d", c.base, p.path(path), seed), strings.NewReader(body))
					if err != nil {
						return nil, err
					}
					req.Header.Set("Authorization", "Bearer "+gm)
					req.Header.Set("Content-Type", "application/json")
					return req, nil
				}
			}
			for _, bench := range []struct{ name, path, body string }{
				{"npc", "/generate/npc", `{"hints":{"ancestry":"dwarf"}}`},
				{"location", "/generate/location", `{"type":"tavern"}`},
				{"encounter", "/generate/encounter", `{"party_level":7,"party_size":5,"difficulty":"hard"}`},
				{"encounter_themed", "/generate/encounter", `{"party_level":12,"party_size":4,"difficulty":"deadly","location_id":"` + crypt + `"}`},
				{"plot_hooks", "/plot-hooks", `{"count":10}`},
			} {
				b.Run(bench.name, func(b *testing.B) { benchLatency(b, post(bench.path, bench.body)) })
			}
		})
	}
}

// seedGenerationCampaign fills the party's campaign through the service
// and returns the id of a crypt.
func seedGenerationCampaign(b *testing.B, svc *service.Service, p *party) string {
	b.Helper()
	ctx := context.Background()
	gm := p.user["gm"]
	start := time.Now()
	rng := rand.New(rand.NewPCG(5, 6))
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	first := strings.Fields("Ara Bren Cael Dorn Elra Fenn Gavik Hesk Ilyx Jorun Kael Lira Morn Nix Orla")
	last := strings.Fields("Vikar Dorrow Ashel Brightmorn Ixley Stonehelm Vell Arandor")
	var chars []string
	for i := range 200 {
		notes := []byte(`{}`)
		if i%3 == 0 {
			notes = []byte(`{"motivation":"wants to find the lost crown"}`)
		}
		ch, err := svc.CreateCharacter(ctx, gm, p.campaign, service.CharacterParams{Name: fmt.Sprintf("%s %s", first[i%len(first)], last[(i/len(first))%len(last)]),
			CharacterType: gmc.CharacterNPC, Notes: notes})
		must(err)
		chars = append(chars, ch.ID)
	}
	var locs []string
	types := []string{"region", "city", "tavern", "crypt", "forest", "dungeon"}
	for i := range 120 {
		lp := service.LocationParams{Name: fmt.Sprintf("Place %d", i), LocationType: types[i%len(types)]}
		if i >= 6 {
			lp.ParentID = &locs[rng.IntN(len(locs))]
		}
		l, err := svc.CreateLocation(ctx, gm, p.campaign, lp)
		must(err)
		locs = append(locs, l.ID)
	}
	statuses := []gmc.PlotStatus{gmc.PlotHook, gmc.PlotActive, gmc.PlotStalled, gmc.PlotResolved}
	for i := range 60 {
		pl, err := svc.CreatePlot(ctx, gm, p.campaign, service.PlotParams{Title: fmt.Sprintf("Thread %d", i), Status: statuses[i%len(statuses)],
			CharacterIDs: []string{chars[rng.IntN(len(chars))], chars[rng.IntN(len(chars))]}, LocationIDs: []string{locs[rng.IntN(len(locs))]},
			Milestones: []gmc.Milestone{{Title: "First step"}, {Title: "Second step"}}})
		must(err)
		for j := range 2 {
			_, err := svc.CreateForeshadowing(ctx, gm, pl.ID, service.ForeshadowingParams{Description: fmt.Sprintf("Hint %d of thread %d", j, i)})
			must(err)
		}
	}
	for i := range 150 {
		_, err := svc.CreateRelationship(ctx, gm, chars[i], service.RelationshipParams{TargetID: chars[(i+1+rng.IntN(50))%len(chars)],
			Kind: "rival", Attitude: rng.IntN(201) - 100})
		must(err)
	}
	b.Logf("seeded the campaign in %s", time.Since(start).Round(time.Millisecond))
	return locs[3]
}

// BenchmarkGenerateLLM times an NPC draft in LLM mode through the real
// HTTP stack (authentication, the campaign's reads, context selection,
// the chat call to a loopback server, validation, the answer) and, in
// turn, a raw call to that server with the same chat request, on the
// seeded campaign of BenchmarkGenerate; it reports the p50 and p99 of
// their difference, what a generate request costs beyond the model's
// own time:
//
//	go test ./internal/httpapi -run '^$' -bench GenerateLLM -benchtime 500x
func BenchmarkGenerateLLM(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			srv := llmtest.New(b)
			answer, _ := json.Marshal(llm.NPC{Name: "Mirela Saltwhistle", Ancestry: "half-elf", Occupation: "smuggler",
				Appearance: "Weathered hands, a silver ring on every finger.", Personality: "Laughs at danger.", Ideal: "Freedom.",
				Bond: "Her brother rots in the gaol of Place 3.", Flaw: "Cannot resist a wager.", Motivation: "Buy her brother's release.",
				Secret: "She informs for Ara Vikar.", VoiceNotes: "Low and quick.", Attitude: "indifferent"})
			srv.Always(llmtest.Reply{Content: string(answer)})
			lc, err := llm.New(llm.Config{BaseURL: srv.URL, Model: srv.Model})
			if err != nil {
				b.Fatal(err)
			}
			c := newServer(b, be.open, serverOpts{generator: llmgen.New(lc, llmgen.Config{})})
			p := newParty(b, c)
			seedGenerationCampaign(b, c.svc, p)
			gm := p.token["gm"]
			generateCall := func() {
				req, _ := http.NewRequest("POST", c.base+p.path("/generate/npc")+"?seed=1", strings.NewReader(`{"hints":{"occupation":"smuggler who knows Ara Vikar"}}`))
				req.Header.Set("Authorization", "Bearer "+gm)
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Fatalf("status %d: %s", res.StatusCode, raw)
				}
			}
			generateCall()
			body, _ := json.Marshal(srv.Requests()[0].Body)
			srv.ForgetRequests()
			rawClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			rawCall := func() {
				res, err := rawClient.Post(srv.URL+"/chat/completions", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			rawCall()
			overhead.Measure(b, "request", rawCall, generateCall)
		})
	}
}
