package search

import (
	"fmt"
	"testing"
)

// benchCandidates are documents as ranking sees them after a lookup: a
// hundred names that share letters with the queries.
func benchCandidates() []Candidate {
	var out []Candidate
	for i := range 100 {
		d := Index(Document{Scope: "c", Type: TypeCharacter, ID: fmt.Sprint(i),
			Name: fmt.Sprintf("Gor%srick Stone%sbeard", string(rune('a'+i%26)), string(rune('a'+i/26))), Aliases: []string{"Old Gorrick"}})
		out = append(out, Candidate{DocID: int64(i), Type: d.Type, ID: d.ID, Name: d.Name, Aliases: d.Aliases, Forms: d.Forms})
	}
	return out
}

// BenchmarkRank measures ranking a full candidate set: what every search
// costs in Go on top of its index lookups.
func BenchmarkRank(b *testing.B) {
	cands := benchCandidates()
	for _, text := range []string{"gorrick", "gorik stone beard", "zylandra voss", "go"} {
		q := ParseQuery(text)
		b.Run(text, func(b *testing.B) {
			var sc scratch
			for b.Loop() {
				for i := range cands {
					scoreCandidate(&q, &cands[i], false, false, &sc)
				}
			}
		})
	}
}

func BenchmarkParseQuery(b *testing.B) {
	for b.Loop() {
		q := ParseQuery("Gorik Stone Beard")
		_ = q.keys()
	}
}

func BenchmarkIndex(b *testing.B) {
	d := Document{Scope: "c", Type: TypeCharacter, ID: "x", Name: "Magister Oswin Dray", Aliases: []string{"Oswin", "Magister Dray"},
		Text: "Court wizard of the Ember Crown, fond of riddles."}
	for b.Loop() {
		Index(d)
	}
}
