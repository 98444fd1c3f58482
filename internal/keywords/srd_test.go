package keywords

import (
	"testing"

	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestFromReference(t *testing.T) {
	entries := []reference.Entry{
		{Kind: "spell", Slug: "zap", Name: "Zap"},
		{Kind: "spell", Slug: "shield", Name: "Shield"},
		{Kind: "condition", Slug: "dazed", Name: "Dazed"},
		{Kind: "magic_item", Slug: "elixir", Name: "Elixir of Wit", Aliases: []string{"Wit Elixir"}},
		{Kind: "magic_item", Slug: "elixir-common", Name: "Elixir of Wit", Variant: true},
		{Kind: "level", Slug: "tinker-1", Name: "Tinker level 1"},
		{Kind: "proficiency", Slug: "zap", Name: "Zap"},
	}
	got := FromReference(entries)
	want := []Term{
		{Key: "srd:spell:zap", Name: "Zap", Category: "spell", Source: "srd", Ref: "spell/zap"},
		{Key: "srd:spell:shield", Name: "Shield", Category: "spell", Source: "srd", Ref: "spell/shield", Common: true},
		{Key: "srd:condition:dazed", Name: "Dazed", Category: "condition", Source: "srd", Ref: "condition/dazed", Common: true},
		{Key: "srd:magic_item:elixir", Name: "Elixir of Wit", Aliases: []string{"Wit Elixir"}, Category: "magic_item", Source: "srd", Ref: "magic_item/elixir"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d terms, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Key != w.Key || g.Name != w.Name || g.Category != w.Category || g.Source != w.Source ||
			g.Ref != w.Ref || g.Common != w.Common || len(g.Aliases) != len(w.Aliases) {
			t.Errorf("term %d = %+v, want %+v", i, g, w)
		}
	}
}

// TestFromReferenceSRD checks the whole SRD when it is there: the engine
// built from it must find what a table says.
func TestFromReferenceSRD(t *testing.T) {
	entries, err := reference.Load(testenv.SRDDir(t))
	if err != nil {
		t.Fatal(err)
	}
	terms := FromReference(entries)
	if len(terms) < 1500 {
		t.Errorf("only %d terms from the SRD", len(terms))
	}
	e := New(terms, Options{Lexicon: LexiconFromReference(entries)})
	for text, want := range map[string]string{
		"I cast Tasha's Hideous Laughter on him": "Hideous Laughter",
		"the gelatinous cube slides closer":      "Gelatinous Cube",
		"I drink a healing potion":               "Potion of Healing",
		"she casts counter spell":                "Counterspell",
		"a gelatinous queue in the hallway":      "Gelatinous Cube",
	} {
		d := e.Detect(text)
		if len(d) != 1 || d[0].Term.Name != want {
			t.Errorf("Detect(%q) = %+v, want %s", text, d, want)
		}
	}
	for _, text := range []string{"the dragon's hoard", "I raise my shield", "a greater danger"} {
		for _, d := range e.Detect(text) {
			if d.Reason != ReasonExact && d.Reason != ReasonAlias {
				t.Errorf("Detect(%q): loose match %+v", text, d)
			}
		}
	}
}

func TestLexicon(t *testing.T) {
	l := NewLexicon([]string{"The dragon breathes. Dragons fly; the dragon lands.", "A dragon, a dragon, a DRAGON!"})
	if l.Count("dragon") != 5 || !l.Frequent("dragon") || l.Frequent("breathes") {
		t.Errorf("dragon %d frequent %v; breathes frequent %v", l.Count("dragon"), l.Frequent("dragon"), l.Frequent("breathes"))
	}
	var none *Lexicon
	if none.Count("dragon") != 0 || none.Frequent("dragon") {
		t.Error("a nil lexicon knows words")
	}
}
