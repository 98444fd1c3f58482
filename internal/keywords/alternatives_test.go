package keywords

import (
	"slices"
	"testing"
)

// altTerms are invented for these tests, unlike any benchmark's names.
func altTerms() []Term {
	return []Term{
		{Key: "campaign:zorvath", Name: "Zorvath Quillmere", Aliases: []string{"Zorvath"}, Category: "npc", Source: "campaign"},
		{Key: "campaign:brambleholt", Name: "Brambleholt", Category: "location", Source: "campaign"},
		{Key: "srd:monster:minotaur", Name: "Minotaur", Category: "monster", Source: "srd"},
	}
}

func TestDetectAlternatives(t *testing.T) {
	t.Parallel()
	e := New(altTerms(), Options{})
	tests := []struct {
		name  string
		best  string
		alts  []string
		added []string // keys added from the alternatives, in order
	}{
		{"no alternatives", "the minotaur charges", nil, nil},
		{"best keeps its terms when no alternative has them", "the minotaur charges",
			[]string{"the mine or tour charges", "them in a tour charges"}, nil},
		{"every alternative agrees", "we ride to the old mill",
			[]string{"we ride to brambleholt", "we rode to brambleholt", "we ride to brambleholt now"}, []string{"campaign:brambleholt"}},
		{"a strict majority of all readings agrees", "we ride to the old mill",
			[]string{"we ride to brambleholt", "we rode to brambleholt", "we ride to brambleholt now", "we ride to the old mill"},
			[]string{"campaign:brambleholt"}},
		{"half the readings is not a majority", "we ride to the old mill",
			[]string{"we ride to brambleholt", "we rode to brambleholt", "we ride to brambleholt now", "we ride to the old mill", "we rode to the old mill"},
			nil},
		{"one alternative is a guess", "ask the baker",
			[]string{"ask zorvath", "ask sore bath please", "ask sore path"}, nil},
		{"a term twice in one reading is one vote", "ask the baker",
			[]string{"zorvath zorvath", "ask sore bath please"}, nil},
		{"each term has its own vote", "the baker meets a tall man at the mill",
			[]string{"zorvath meets a minotaur at brambleholt", "zorvath meets a tall man at brambleholt", "zorvath meets a tall man at the mill"},
			[]string{"campaign:zorvath"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := e.Detect(tt.best)
			got := e.DetectAlternatives(tt.best, tt.alts)
			if len(got) < len(base) || !slices.EqualFunc(got[:len(base)], base, func(a, b Detection) bool {
				return a.Term.Key == b.Term.Key && a.Span == b.Span && a.Reason == b.Reason
			}) {
				t.Fatalf("best's detections changed: got %+v, Detect gives %+v", got, base)
			}
			var added []string
			for _, d := range got[len(base):] {
				added = append(added, d.Term.Key)
				if d.Reason != ReasonAlternative || d.Span != [2]int{} || d.Surface == "" {
					t.Errorf("added %s: reason %q span %v surface %q, want %q, [0 0] and the alternative's words",
						d.Term.Key, d.Reason, d.Span, d.Surface, ReasonAlternative)
				}
				if d.Confidence < e.Options().threshold() {
					t.Errorf("added %s below the threshold: %v", d.Term.Key, d.Confidence)
				}
			}
			if !slices.Equal(added, tt.added) {
				t.Errorf("added %v, want %v", added, tt.added)
			}
		})
	}
}

func TestDetectAlternativesTakesHighestConfidence(t *testing.T) {
	t.Parallel()
	e := New(altTerms(), Options{})
	alts := []string{"we ride to bramble holt", "we ride to brambleholt", "we ride to bramble holt again"}
	got := e.DetectAlternatives("we ride home", alts)
	var want float64
	for _, a := range alts {
		for _, d := range e.Detect(a) {
			if d.Term.Key == "campaign:brambleholt" {
				want = max(want, d.Confidence)
			}
		}
	}
	if len(got) != 1 || got[0].Confidence != want {
		t.Fatalf("got %+v, want one Brambleholt at confidence %v", got, want)
	}
}
