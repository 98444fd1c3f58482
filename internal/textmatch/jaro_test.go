package textmatch

import (
	"math"
	"testing"
	"unicode/utf8"
)

func approxEqual(a, b, eps float64) bool { return math.Abs(a-b) <= eps }

// Published values from Winkler (1990) and the Wikipedia article, given to
// three decimals.
func TestJaroWinklerPublished(t *testing.T) {
	tests := []struct {
		a, b     string
		jaro, jw float64
	}{
		{"MARTHA", "MARHTA", 0.944, 0.961},
		{"DWAYNE", "DUANE", 0.822, 0.840},
		{"DIXON", "DICKSONX", 0.767, 0.813},
		{"JELLYFISH", "SMELLYFISH", 0.896, 0.896},
		{"CRATE", "TRACE", 0.733, 0.733},
	}
	for _, tc := range tests {
		if got := Jaro(tc.a, tc.b); !approxEqual(got, tc.jaro, 0.0005) {
			t.Errorf("Jaro(%q, %q) = %.4f, want %.3f", tc.a, tc.b, got, tc.jaro)
		}
		if got := JaroWinkler(tc.a, tc.b); !approxEqual(got, tc.jw, 0.0005) {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.3f", tc.a, tc.b, got, tc.jw)
		}
	}
}

func TestJaroEdgeCases(t *testing.T) {
	tests := []struct {
		a, b     string
		jaro, jw float64
	}{
		{"", "", 1, 1},
		{"", "a", 0, 0},
		{"a", "", 0, 0},
		{"a", "a", 1, 1},
		{"a", "b", 0, 0},
		{"ab", "ba", 0, 0}, // window is 0 for length 2, so nothing matches
		{"abc", "xyz", 0, 0},
		// Exact fractions: MARTHA/MARHTA has 6 matches and 1 transposition.
		{"MARTHA", "MARHTA", 17.0 / 18, 17.0/18 + 0.3*(1.0/18)},
		// Runes: é matches é; byte-wise the two strings would differ.
		{"Thálindra", "Thálindra", 1, 1},
		{"日本語", "日本人", 7.0 / 9, 7.0/9 + 0.2*(2.0/9)},
		// The prefix bonus stops at four runes.
		{"abcdefgh", "abcdxxxx", 2.0 / 3, 2.0/3 + 0.4*(1.0/3)},
	}
	for _, tc := range tests {
		if got := Jaro(tc.a, tc.b); !approxEqual(got, tc.jaro, 1e-12) {
			t.Errorf("Jaro(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.jaro)
		}
		if got := JaroWinkler(tc.a, tc.b); !approxEqual(got, tc.jw, 1e-12) {
			t.Errorf("JaroWinkler(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.jw)
		}
	}
}

func TestJaroProperties(t *testing.T) {
	words := []string{"", "a", "thalindra", "tahlindra", "khaldrun", "kaldrun", "日本語", "naïve", "naive",
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"}
	for _, a := range words {
		for _, b := range words {
			j, jw := Jaro(a, b), JaroWinkler(a, b)
			if j < 0 || j > 1 || jw < j || jw > 1 {
				t.Errorf("Jaro(%q, %q) = %v, JaroWinkler = %v: out of range", a, b, j, jw)
			}
			if j2 := Jaro(b, a); !approxEqual(j, j2, 1e-12) {
				t.Errorf("Jaro not symmetric for %q, %q: %v vs %v", a, b, j, j2)
			}
			if (j == 1) != (a == b) && utf8.ValidString(a) {
				t.Errorf("Jaro(%q, %q) = %v", a, b, j)
			}
		}
	}
}

func TestJaroNoAlloc(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		_ = JaroWinkler("Thálindra", "Tahlindra")
	}); n != 0 {
		t.Errorf("JaroWinkler allocates %v times for short strings", n)
	}
}

var benchFloat float64

func BenchmarkJaro(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchFloat = Jaro("thalindra", "tahlindra")
	}
}

func BenchmarkJaroWinkler(b *testing.B) {
	for _, bc := range []struct{ name, a, b string }{
		{"ascii", "thalindra", "tahlindra"},
		{"unicode", "Thálindra", "Tahlindra"},
		{"miss", "fireball", "moonwhisper"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchFloat = JaroWinkler(bc.a, bc.b)
			}
		})
	}
}
