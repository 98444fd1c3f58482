package summary_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/summary"
)

// TestBuiltinEdges: sessions with nothing or little said, and GM-only
// things named only by a secret keyword, a hidden location or a hidden
// thread's title, or spoken by a GM-only character.
func TestBuiltinEdges(t *testing.T) {
	seg := func(id string, seq int64, speaker, charID, text string) summary.Segment {
		return summary.Segment{ID: id, Seq: seq, StartMS: seq * 5000, EndMS: seq*5000 + 4000, Speaker: speaker, CharacterID: charID, Text: text}
	}
	for _, tc := range []struct {
		name string
		in   summary.SummaryInput
		// hidden must not appear in the player view; scenes is how many
		// scenes are wanted.
		hidden []string
		scenes int
	}{
		{name: "empty", scenes: 0},
		{name: "blank segments", in: summary.SummaryInput{Segments: []summary.Segment{seg("a", 1, "GM", "", ""), seg("b", 2, "GM", "", "  ")}}, scenes: 1},
		{name: "secret keyword", hidden: []string{"sunless pact"}, scenes: 1, in: summary.SummaryInput{
			Secrets: []string{"Sunless Pact"},
			Segments: []summary.Segment{
				seg("a", 1, "GM", "", "The duke's letter mentions the Sunless Pact and a meeting at midnight in the old chapel."),
				seg("b", 2, "Ann", "", "We walk to the chapel through the quiet streets of the sleeping city."),
			}}},
		{name: "hidden location and thread", hidden: []string{"grey vault", "the drowned crown"}, scenes: 1, in: summary.SummaryInput{
			Locations: []summary.Entity{{ID: "l1", Name: "Grey Vault", Kind: "location", GMOnly: true}},
			Plots:     []summary.Plot{{ID: "p1", Title: "The Drowned Crown", GMOnly: true, Status: gmc.PlotActive}},
			Segments: []summary.Segment{
				seg("a", 1, "GM", "", "Beneath the harbour lies the Grey Vault where the Drowned Crown was found long ago."),
				seg("b", 2, "Ann", "", "We search the harbour for a boat and ask the fishermen about the tides."),
			}}},
		{name: "spoken as a hidden character", hidden: []string{"mirela"}, scenes: 1, in: summary.SummaryInput{
			Characters: []summary.Entity{{ID: "c1", Name: "Mirela", Kind: "npc", GMOnly: true}},
			Segments: []summary.Segment{
				seg("a", 1, "Mirela", "c1", "You will never leave this valley alive, travellers, the mountain pass is closed."),
				seg("b", 2, "Ann", "", "We climb the mountain pass anyway and look for tracks in the snow."),
			}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := summary.Builtin{}.Summarize(context.Background(), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Scenes) != tc.scenes {
				t.Errorf("%d scenes, want %d", len(out.Scenes), tc.scenes)
			}
			b, err := json.Marshal(out.SessionSummary.ForPlayers())
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tc.hidden {
				if strings.Contains(strings.ToLower(string(b)), h) {
					t.Errorf("the player view names %q: %s", h, b)
				}
			}
			if len(tc.hidden) > 0 && len(out.PlayerRecap) == 0 {
				t.Errorf("no player recap at all: nothing was checked")
			}
		})
	}
}
