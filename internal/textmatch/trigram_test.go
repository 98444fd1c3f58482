package textmatch

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Expected sets are show_trgm() output from PostgreSQL's pg_trgm
// documentation and simple hand derivations of its padding rule.
func TestTrigrams(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"cat", []string{"  c", " ca", "at ", "cat"}},
		{"", nil},
		{"!!", nil},
		{"a", []string{"  a", " a "}},
		{"Word", []string{"  w", " wo", "ord", "rd ", "wor"}},
		{"two words", []string{"  t", "  w", " tw", " wo", "ds ", "ord", "rds", "two", "wo ", "wor"}},
		{"aaa aaa", []string{"  a", " aa", "aa ", "aaa"}},
		{"half-orc", []string{"  h", "  o", " ha", " or", "alf", "hal", "lf ", "orc", "rc "}},
		{"Ébé", []string{"  é", " éb", "bé ", "ébé"}},
	}
	for _, tc := range tests {
		got := Trigrams(tc.in)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Trigrams(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
		if !slices.IsSorted(got) {
			t.Errorf("Trigrams(%q) = %q: not sorted", tc.in, got)
		}
	}
}

func TestTrigramSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		// PostgreSQL documentation: similarity('word', 'two words') = 0.363636.
		{"word", "two words", 4.0 / 11},
		{"word", "word", 1},
		{"Word", "wORD", 1},
		{"", "", 0}, // pg_trgm returns 0 when either side has no trigrams
		{"word", "", 0},
		{"abc", "xyz", 0},
		// cat = {"  c"," ca","at ","cat"}, cart = {"  c"," ca","art","car","rt "}.
		{"cat", "cart", 2.0 / 7},
		{"lord soth", "soth lord", 1},
	}
	for _, tc := range tests {
		if got := TrigramSimilarity(tc.a, tc.b); !approxEqual(got, tc.want, 1e-12) {
			t.Errorf("TrigramSimilarity(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := TrigramSimilarity(tc.b, tc.a); !approxEqual(got, tc.want, 1e-12) {
			t.Errorf("TrigramSimilarity(%q, %q) = %v, want %v", tc.b, tc.a, got, tc.want)
		}
	}
	// pg_trgm displays 0.363636 for the documented example.
	if got := TrigramSimilarity("word", "two words"); !approxEqual(got, 0.363636, 5e-7) {
		t.Errorf("TrigramSimilarity(word, two words) = %v", got)
	}
}

func TestTrigramSimilarityNoAlloc(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		_ = TrigramSimilarity("Thálindra Moonwhisper", "Tahlindra Moonwisper")
	}); n != 0 {
		t.Errorf("TrigramSimilarity allocates %v times for short strings", n)
	}
}

func BenchmarkTrigrams(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Trigrams("Thalindra Moonwhisper")
	}
}

func BenchmarkTrigramSimilarity(b *testing.B) {
	for _, bc := range []struct{ name, a, b string }{
		{"word", "thalindra", "tahlindra"},
		{"name", "Thalindra Moonwhisper", "Tahlindra Moonwisper"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchFloat = TrigramSimilarity(bc.a, bc.b)
			}
		})
	}
}
