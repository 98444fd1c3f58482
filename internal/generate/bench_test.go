package generate

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// BenchmarkGenerate times each built-in generator alone (no database, no
// HTTP) on a campaign of 300 characters, 150 locations, 80 threads and
// 200 relationships, a new seed per call, and reports p50 and p99:
//
//	go test ./internal/generate -run '^$' -bench Generate -benchtime 1000x
func BenchmarkGenerate(b *testing.B) {
	c := bigCampaign()
	c.Monsters = bestiary(b)
	crypt := &gmc.Location{ID: "crypt", Name: "Tomb of Kings", LocationType: "crypt"}
	g := Builtin{}
	for _, bench := range []struct {
		name string
		run  func(seed uint64) error
	}{
		{"npc", func(s uint64) error { _, err := g.NPC(ctx, c, NPCRequest{Seed: s}); return err }},
		{"location", func(s uint64) error {
			_, err := g.Location(ctx, c, LocationRequest{Seed: s, Type: LocationTypes[s%uint64(len(LocationTypes))]})
			return err
		}},
		{"encounter", func(s uint64) error {
			_, err := g.Encounter(ctx, c, EncounterRequest{Seed: s, PartyLevel: 1 + int(s%20), PartySize: 1 + int(s%8), Difficulty: Difficulties[s%4]})
			return err
		}},
		{"encounter_themed", func(s uint64) error {
			_, err := g.Encounter(ctx, c, EncounterRequest{Seed: s, PartyLevel: 1 + int(s%20), PartySize: 4, Difficulty: Hard, Location: crypt})
			return err
		}},
		{"plot_hooks", func(s uint64) error { _, err := g.PlotHooks(ctx, c, PlotHookRequest{Seed: s, Count: 10}); return err }},
	} {
		b.Run(bench.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			seed := uint64(0)
			for b.Loop() {
				seed++
				t0 := time.Now()
				if err := bench.run(seed); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(pct(0.50), "p50_ms")
			b.ReportMetric(pct(0.99), "p99_ms")
		})
	}
}

func bigCampaign() *Campaign {
	c := &Campaign{ID: "big"}
	for i := range 300 {
		ch := &gmc.Character{ID: fmt.Sprintf("c%03d", i), Name: fmt.Sprintf("%s %s", givenNames["human"][i%80], familyParts["human"][0][i%24]+"ford"),
			CharacterType: gmc.CharacterNPC}
		if i%3 == 0 {
			ch.Notes = []byte(`{"motivation":"wants to find the lost crown"}`)
		}
		c.Characters = append(c.Characters, ch)
	}
	for i := range 150 {
		c.Locations = append(c.Locations, &gmc.Location{ID: fmt.Sprintf("l%03d", i), Name: fmt.Sprintf("Place %d", i), LocationType: LocationTypes[i%len(LocationTypes)]})
	}
	statuses := []gmc.PlotStatus{gmc.PlotHook, gmc.PlotActive, gmc.PlotStalled, gmc.PlotResolved}
	for i := range 80 {
		p := &gmc.PlotThread{ID: fmt.Sprintf("p%03d", i), Title: fmt.Sprintf("Thread %d", i), Status: statuses[i%4],
			CharacterIDs: []string{fmt.Sprintf("c%03d", i)}, LocationIDs: []string{fmt.Sprintf("l%03d", i)}, Milestones: []gmc.Milestone{{Title: "Step"}}}
		c.Plots = append(c.Plots, p)
		c.Foreshadowing = append(c.Foreshadowing, &gmc.Foreshadowing{ID: fmt.Sprintf("f%03d", i), PlotID: p.ID, Description: "A hint"})
	}
	for i := range 200 {
		c.Relationships = append(c.Relationships, &gmc.Relationship{ID: fmt.Sprintf("r%03d", i), SourceID: fmt.Sprintf("c%03d", i), TargetID: fmt.Sprintf("c%03d", (i+7)%300),
			Kind: "rival", Attitude: i%201 - 100})
	}
	return c
}
