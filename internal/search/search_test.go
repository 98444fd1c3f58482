package search

import (
	"context"
	"strings"
	"testing"
)

// fixture is a small campaign with the names the issue quotes.
func fixture() *memSource {
	m := &memSource{}
	c := "camp"
	for _, d := range []Document{
		{Type: TypeCharacter, ID: "xylandra", Name: "Xylandra Voss", Text: "A tiefling warlock."},
		{Type: TypeCharacter, ID: "phaedra", Name: "Phaedra", Aliases: []string{"The Grey Lady"}},
		{Type: TypeCharacter, ID: "gorrick", Name: "Gorrick Stonebeard", Aliases: []string{"Gorrick"}, Tags: []string{"dwarf"}},
		{Type: TypeCharacter, ID: "gorlan", Name: "Gorlan Stoneheart"},
		{Type: TypeCharacter, ID: "thalindra", Name: "Thálindra Voss", GMText: "Secretly serves Vethrax."},
		{Type: TypeCharacter, ID: "vethrax", Name: "Vethrax the Unbound", GMOnly: true},
		{Type: TypeLocation, ID: "caer", Name: "Caer Dathyl", Context: "Gwynedd", Text: "A fortress on the hill."},
		{Type: TypeLocation, ID: "khaldrun", Name: "Khaldrun's Hollow"},
		{Type: TypePlot, ID: "crown", Name: "The Ember Crown", Text: "Magister Dray wants the crown."},
		{Type: TypeSession, ID: "s1", Name: "Goblin Arrows", Aliases: []string{"Session 1"}, Text: "The party met Sildar in the tavern."},
	} {
		d.Scope = c
		m.add(d)
	}
	m.add(Document{Scope: ReferenceScope, Type: "spell", ID: "fireball", Name: "Fireball"})
	m.add(Document{Scope: ReferenceScope, Type: "spell", ID: "fire-bolt", Name: "Fire Bolt"})
	m.add(Document{Scope: ReferenceScope, Type: "magic_item", ID: "wand-of-fireballs", Name: "Wand of Fireballs"})
	return m
}

func run(t *testing.T, m *memSource, req Request) *Result {
	t.Helper()
	if req.Scope == "" {
		req.Scope = "camp"
	}
	res, err := Run(context.Background(), m, req)
	if err != nil {
		t.Fatalf("Run(%q) = %v", req.Query, err)
	}
	return res
}

func TestRunFindsTheIntendedName(t *testing.T) {
	m := fixture()
	tests := []struct {
		query, scope string
		gm           bool
		wantID       string
		wantMatch    Match
	}{
		{"Xylandra Voss", "", false, "xylandra", MatchExact},
		{"zylandra", "", false, "xylandra", MatchFuzzy},
		{"fedra", "", false, "phaedra", MatchPhonetic},
		{"kair dathil", "", false, "caer", MatchPhonetic},
		{"gorik stone beard", "", false, "gorrick", MatchFuzzy},
		{"gorrick stonebeard", "", false, "gorrick", MatchExact},
		{"gorrick", "", false, "gorrick", MatchExact},
		{"stonebeard", "", false, "gorrick", MatchPrefix},
		{"thalindra", "", false, "thalindra", MatchPrefix},
		{"khaldruns hollow", "", false, "khaldrun", MatchExact},
		{"vethrax unbound", "", true, "vethrax", MatchExact},
		{"tavern", "", false, "s1", MatchFullText},
		{"session 1", "", false, "s1", MatchExact},
		{"fire ball", ReferenceScope, false, "fireball", MatchExact},
		{"fireball", ReferenceScope, false, "fireball", MatchExact},
		{"gprrick", "", false, "gorrick", MatchFuzzy},
		{"th", "", false, "thalindra", MatchPrefix},
	}
	for _, tc := range tests {
		res := run(t, m, Request{Filter: Filter{Scope: tc.scope, GM: tc.gm}, Query: tc.query})
		if len(res.Items) == 0 {
			t.Errorf("Run(%q) found nothing", tc.query)
			continue
		}
		if got := res.Items[0]; got.ID != tc.wantID || got.Match != tc.wantMatch {
			t.Errorf("Run(%q)[0] = %s (%s %.3f), want %s (%s); all: %v", tc.query, got.ID, got.Match, got.Score, tc.wantID, tc.wantMatch, ids(res))
		}
	}
}

func ids(r *Result) string {
	var b strings.Builder
	for _, it := range r.Items {
		b.WriteString(it.ID + ":" + string(it.Match) + " ")
	}
	return b.String()
}

func TestRunVisibility(t *testing.T) {
	m := fixture()
	if res := run(t, m, Request{Query: "vethrax"}); len(res.Items) != 0 {
		t.Errorf("player search for a GM-only name = %v", ids(res))
	}
	if res := run(t, m, Request{Query: "secretly serves"}); len(res.Items) != 0 {
		t.Errorf("player search matched GM-only text: %v", ids(res))
	}
	res := run(t, m, Request{Filter: Filter{GM: true}, Query: "secretly serves"})
	if len(res.Items) != 1 || res.Items[0].ID != "thalindra" || res.Items[0].Match != MatchFullText {
		t.Errorf("GM search of GM-only text = %v", ids(res))
	}
	if !strings.Contains(res.Items[0].Highlight, "<mark>Secretly</mark>") {
		t.Errorf("highlight = %q", res.Items[0].Highlight)
	}
}

func TestRunFacetsAndFilters(t *testing.T) {
	m := fixture()
	res := run(t, m, Request{Query: "voss", Types: []string{TypeLocation}})
	if len(res.Items) != 0 || res.Facets[TypeCharacter] != 2 {
		t.Errorf("types filter: items %v, facets %v", ids(res), res.Facets)
	}
	res = run(t, m, Request{Filter: Filter{Tags: []string{"dwarf"}}, Query: "stone"})
	if len(res.Items) != 1 || res.Items[0].ID != "gorrick" {
		t.Errorf("tags filter = %v", ids(res))
	}
}

func TestRunHighlightEscapes(t *testing.T) {
	m := &memSource{}
	m.add(Document{Scope: "camp", Type: TypeCharacter, ID: "x", Name: "Bob <script> Smith"})
	res := run(t, m, Request{Query: "smith"})
	if len(res.Items) != 1 || res.Items[0].Highlight != "Bob &lt;script&gt; <mark>Smith</mark>" {
		t.Errorf("highlight = %+v", res.Items)
	}
}
