package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/textmatch"
)

func unitTexts(q Query) []string {
	out := make([]string, len(q.units))
	for i, u := range q.units {
		out[i] = u.text
	}
	return out
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		in        string
		wantText  string
		wantUnits []string
		wantShort bool
	}{
		{"Gorik Stone Beard", "gorik stone beard", []string{"gorik", "stone", "beard", "gorikstone", "stonebeard", "gorikstonebeard"}, false},
		{"  the  Thálindra's  ", "the thalindra", []string{"the", "thalindra", "thethalindra"}, false},
		{"the", "the", []string{"the"}, true},
		{"ga", "ga", []string{"ga"}, true},
		{"a b", "a b", []string{"a", "b", "ab"}, true},
		{"half-orc", "half orc", []string{"half", "orc", "halforc"}, false},
		{"one two three four five six seven", "one two three four five six", nil, false},
		{"!!!", "", nil, true},
	}
	for _, tc := range tests {
		q := ParseQuery(tc.in)
		if q.Text != tc.wantText || q.Short() != tc.wantShort {
			t.Errorf("ParseQuery(%q) = %q short %v, want %q short %v", tc.in, q.Text, q.Short(), tc.wantText, tc.wantShort)
		}
		if tc.wantUnits != nil {
			if diff := cmp.Diff(tc.wantUnits, unitTexts(q)); diff != "" {
				t.Errorf("ParseQuery(%q) units (-want +got):\n%s", tc.in, diff)
			}
		}
	}
}

func TestShortQueriesLookUpPrefixesOnly(t *testing.T) {
	for _, in := range []string{"g", "th", "the", "a of"} {
		for _, k := range ParseQuery(in).keys() {
			if !k.Prefix || !strings.HasPrefix(k.Text, wordKey) {
				t.Errorf("ParseQuery(%q).keys() has %+v; short queries look up word prefixes only", in, k)
			}
		}
	}
}

// FuzzParseQuery checks that any input parses into a bounded, consistent
// query whose keys are well formed.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"gorik stone beard", "Thálindra's", "ǅ\u0301x", "a-b-c", "\xff\xfe", strings.Repeat("ab ", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := ParseQuery(s)
		if len(q.words) > maxQueryWords || utf8.RuneCountInString(q.Text) > MaxQueryRunes {
			t.Fatalf("ParseQuery(%q) not bounded: %d words, %q", s, len(q.words), q.Text)
		}
		if textmatch.Normalize(q.Text) != q.Text {
			t.Fatalf("ParseQuery(%q).Text = %q is not normalised", s, q.Text)
		}
		for _, u := range q.units {
			if u.first < 0 || u.first > u.last || u.last >= len(q.words) || u.text == "" {
				t.Fatalf("ParseQuery(%q) has bad unit %+v", s, u)
			}
		}
		keys := q.keys()
		if len(keys) > 64*len(q.units)+1 {
			t.Fatalf("ParseQuery(%q) has %d keys", s, len(keys))
		}
		for _, k := range keys {
			if len(k.Text) < 3 || (k.Text[:2] != wordKey && k.Text[:2] != deleteKey && k.Text[:2] != soundKey) {
				t.Fatalf("ParseQuery(%q) has bad key %q", s, k.Text)
			}
		}
	})
}
