package llm

import (
	"strings"
	"testing"
)

func TestSelectContext(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("The old lighthouse keeper remembers every ship that sank. ", 40)
	items := []ContextItem{
		{Name: "Mirela", Type: "npc", Text: "A smuggler who owes the party.", Score: 0.2},
		{Name: "The Drowned King", Type: "npc", Text: "Secretly the mayor.", Score: 0.9, GMOnly: true},
		{Name: "Saltmarsh", Type: "location", Text: "A fishing town.", Score: 0.8},
		{Name: "Red Hand", Type: "faction", Text: "Mercenaries.", Score: 0.5},
		{Name: "Lighthouse", Type: "location", Text: long, Score: 0.1},
		{Name: "Kingsport", Type: "location", Text: "A distant city.", Score: 0.7},
	}
	names := func(its []ContextItem) string {
		var out []string
		for _, it := range its {
			out = append(out, it.Name)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		name     string
		request  string
		budget   int
		audience Audience
		want     string
	}{
		{"by score for the GM", "a tavern brawl", 1000, ForGM, "The Drowned King,Saltmarsh,Kingsport,Red Hand,Mirela,Lighthouse"},
		{"players never get GM-only", "a tavern brawl", 1000, ForPlayers, "Saltmarsh,Kingsport,Red Hand,Mirela,Lighthouse"},
		{"players asking by name still do not", "what does the drowned king want", 1000, ForPlayers, "Saltmarsh,Kingsport,Red Hand,Mirela,Lighthouse"},
		{"named first", "Mirela meets the Red Hand", 1000, ForGM, "Red Hand,Mirela,The Drowned King,Saltmarsh,Kingsport,Lighthouse"},
		{"whole words only", "the king of saltmarshes", 31, ForGM, "The Drowned King,Saltmarsh"},
		{"budget skips what does not fit", "a tavern brawl", 60, ForGM, "The Drowned King,Saltmarsh,Kingsport,Red Hand"},
		{"named item shortened to fit", "the lighthouse at night", 60, ForGM, "Lighthouse"},
		{"nothing fits", "x", 3, ForGM, ""},
	}
	for _, tc := range tests {
		got := SelectContext(items, tc.request, tc.budget, tc.audience)
		if names(got) != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, names(got), tc.want)
		}
		total := 0
		for _, it := range got {
			total += ItemTokens(it)
			if tc.audience == ForPlayers && it.GMOnly {
				t.Errorf("%s: GM-only %s chosen for players", tc.name, it.Name)
			}
		}
		if total > tc.budget {
			t.Errorf("%s: %d tokens chosen, budget %d", tc.name, total, tc.budget)
		}
	}
	got := SelectContext(items, "the lighthouse at night", 60, ForGM)
	if len(got) != 1 || !strings.HasSuffix(got[0].Text, "…") || len(got[0].Text) >= len(long) {
		t.Errorf("the named long item was not shortened: %+v", got)
	}
}

func TestEstimateTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"   ", 0},
		{"the cat sat", 3},
		{"Fireball", 2},
		{"incomprehensibilities", 5},
		{"12345", 2},
		{"3d6+2", 5},
		{"Hello, world!", 4},
		{"ドラゴン", 2},
	}
	for _, tc := range tests {
		if got := EstimateTokens(tc.s); got != tc.want {
			t.Errorf("EstimateTokens(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
	prose := "The party crossed the marsh at dawn, chased by three goblins and a hungry owlbear."
	if n := EstimateTokens(prose); n < len(prose)/5 || n > len(prose)/3 {
		t.Errorf("EstimateTokens(prose of %d chars) = %d, want about chars/4", len(prose), n)
	}
}
