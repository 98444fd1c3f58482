package search

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeletions(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"venn", []string{"enn", "vnn", "ven"}},
		{"thál", []string{"hál", "tál", "thl", "thá"}},
		{"ka", nil},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, deletions(tc.in)); diff != "" {
			t.Errorf("deletions(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestIndexKeys(t *testing.T) {
	in := Index(Document{Name: "Gorrick Stonebeard", Aliases: []string{"Gorrick"}})
	for _, want := range []string{"w:gorrick", "w:stonebeard", "w:gorrickstonebeard", "d:gorrick", "d:gorick", "d:stonbeard", "p:KRK", "p:STNPRT"} {
		if !slices.Contains(in.Keys, want) {
			t.Errorf("Index keys lack %q: %v", want, in.Keys)
		}
	}
	if in.Names != "gorrick stonebeard\ngorrick" {
		t.Errorf("Names = %q", in.Names)
	}
	forms, _ := decodeForms(in.Forms, nil)
	if len(forms) != 2 || forms[0].alias || !forms[1].alias || forms[0].words[1].text != "stonebeard" || forms[0].words[1].sounds[0] != "STNPRT" {
		t.Errorf("forms = %+v", forms)
	}
}

// TestOneEditSharesAKey is the property the deletion keys exist for: a
// query word one edit (of any kind) away from a name word reaches it by
// an exact key lookup.
func TestOneEditSharesAKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const letters = "abcdefghijklmnopqrstuvwxyz"
	for range 2000 {
		n := 4 + rng.IntN(8)
		w := make([]byte, n)
		for i := range w {
			w[i] = letters[rng.IntN(len(letters))]
		}
		name := string(w)
		i := rng.IntN(n - 1)
		var typo string
		switch rng.IntN(4) {
		case 0:
			typo = name[:i] + name[i+1:]
		case 1:
			typo = name[:i] + string(letters[rng.IntN(26)]) + name[i:]
		case 2:
			typo = name[:i] + string(letters[rng.IntN(26)]) + name[i+1:]
		default:
			typo = name[:i] + string(name[i+1]) + string(name[i]) + name[i+2:]
		}
		nameKeys := Index(Document{Name: name}).Keys
		found := false
		for _, k := range ParseQuery(typo).keys() {
			if k.Prefix {
				for _, nk := range nameKeys {
					found = found || len(nk) >= len(k.Text) && nk[:len(k.Text)] == k.Text
				}
			} else {
				found = found || slices.Contains(nameKeys, k.Text)
			}
		}
		if !found {
			t.Fatalf("%q (typo of %q) shares no key with it", typo, name)
		}
	}
}
