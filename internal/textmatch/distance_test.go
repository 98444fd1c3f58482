package textmatch

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDamerauLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"abc", "abc", 0},
		{"kitten", "sitting", 3},
		{"ca", "ac", 1},
		{"ca", "abc", 3}, // OSA cannot edit the transposed pair again; true Damerau gives 2
		{"abcdef", "abdcef", 1},
		{"Thalindra", "Tahlindra", 1},
		{"Khaldrun", "Kaldrun", 1},
		{"a cat", "an act", 2},
		{"Saturday", "Sunday", 3},
		{"gandalf", "gnadalf", 1},
		// Runes, not bytes.
		{"Thálindra", "Thalindra", 1},
		{"日本語", "日本", 1},
		{"日本語", "本日語", 1},
		{"naïve", "naive", 1},
		{"🐉dragon", "dragon🐉", 2},
	}
	for _, tc := range tests {
		if got := DamerauLevenshtein(tc.a, tc.b, -1); got != tc.want {
			t.Errorf("DamerauLevenshtein(%q, %q, -1) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := DamerauLevenshtein(tc.b, tc.a, -1); got != tc.want {
			t.Errorf("DamerauLevenshtein(%q, %q, -1) = %d, want %d", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"Saturday", "Sunday", 3},
		{"ca", "ac", 2},
		{"ca", "abc", 3},
		{"intention", "execution", 5},
		{"book", "back", 2},
		{"Thálindra", "Thalindra", 1},
		{"日本語", "本日語", 2},
	}
	for _, tc := range tests {
		if got := Levenshtein(tc.a, tc.b, -1); got != tc.want {
			t.Errorf("Levenshtein(%q, %q, -1) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestDistanceBounded(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		osa  int // DamerauLevenshtein
		lev  int // Levenshtein
	}{
		{"kitten", "sitting", 3, 3, 3},
		{"kitten", "sitting", 2, 3, 3},
		{"kitten", "sitting", 1, 2, 2},
		{"kitten", "sitting", 0, 1, 1},
		{"kitten", "kitten", 0, 0, 0},
		{"abcdef", "badcfe", 2, 3, 3},
		{"abcdef", "badcfe", 3, 3, 4},
		{"short", "a much longer string", 2, 3, 3}, // length gap alone exceeds max
		{"abc", "", 5, 3, 3},
		{"", "", 0, 0, 0},
		{"ca", "ac", 1, 1, 2},
	}
	for _, tc := range tests {
		if got := DamerauLevenshtein(tc.a, tc.b, tc.max); got != tc.osa {
			t.Errorf("DamerauLevenshtein(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.osa)
		}
		if got := Levenshtein(tc.a, tc.b, tc.max); got != tc.lev {
			t.Errorf("Levenshtein(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.lev)
		}
	}
}

func TestDistanceLongStrings(t *testing.T) {
	// Beyond the stack buffers.
	a := strings.Repeat("ab", 100)
	b := strings.Repeat("ba", 100)
	if got, want := DamerauLevenshtein(a, b, -1), refOSA([]rune(a), []rune(b)); got != want {
		t.Errorf("DamerauLevenshtein long = %d, want %d", got, want)
	}
	if got, want := Levenshtein(a, b, -1), refLevenshtein([]rune(a), []rune(b)); got != want {
		t.Errorf("Levenshtein long = %d, want %d", got, want)
	}
	for k := range 4 {
		checkDistances(t, a, b, k)
	}
	c := strings.Repeat("abcdefgh", 25)
	d := strings.Replace(strings.Replace(c, "cd", "dc", 3), "h", "x", 4)
	for k := -1; k < 12; k++ {
		checkDistances(t, c, d, k)
	}
}

func TestDistanceMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("abcé日")
	word := func() string {
		n := rng.IntN(12)
		var sb strings.Builder
		for range n {
			sb.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		return sb.String()
	}
	for range 20000 {
		a, b := word(), word()
		k := rng.IntN(8) - 1
		checkDistances(t, a, b, k)
	}
}

func TestDistanceNoAlloc(t *testing.T) {
	a, b := "Thálindra Moonwhisper", "Tahlindra Moonwisper"
	if n := testing.AllocsPerRun(100, func() {
		_ = DamerauLevenshtein(a, b, 3)
		_ = DamerauLevenshtein(a, b, -1)
		_ = Levenshtein(a, b, 3)
	}); n != 0 {
		t.Errorf("distance functions allocate %v times for short strings", n)
	}
}

func TestEditSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{"abc", "", 0},
		{"abcd", "abcd", 1},
		{"abcd", "abdc", 0.75},
		{"kitten", "sitting", 1 - 3.0/7},
	}
	for _, tc := range tests {
		if got := EditSimilarity(tc.a, tc.b); !approxEqual(got, tc.want, 1e-12) {
			t.Errorf("EditSimilarity(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// checkDistances compares both distances with the textbook full-matrix
// algorithms, which have no band, no prefix trimming and no early exit.
func checkDistances(t *testing.T, a, b string, k int) {
	t.Helper()
	ra, rb := []rune(a), []rune(b)
	capAt := func(d int) int {
		if k >= 0 && d > k {
			return k + 1
		}
		return d
	}
	if got, want := DamerauLevenshtein(a, b, k), capAt(refOSA(ra, rb)); got != want {
		t.Fatalf("DamerauLevenshtein(%q, %q, %d) = %d, want %d", a, b, k, got, want)
	}
	if got, want := Levenshtein(a, b, k), capAt(refLevenshtein(ra, rb)); got != want {
		t.Fatalf("Levenshtein(%q, %q, %d) = %d, want %d", a, b, k, got, want)
	}
}

func refOSA(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func refLevenshtein(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
		}
	}
	return d[len(a)][len(b)]
}

func FuzzDamerauLevenshtein(f *testing.F) {
	f.Add("kitten", "sitting", 2)
	f.Add("ca", "abc", -1)
	f.Add("Thálindra", "Tahlindra", 1)
	f.Add("", "abc", 0)
	f.Add("\xff\xfe", "\xfe\xff", 3)
	f.Fuzz(func(t *testing.T, a, b string, k int) {
		// The reference is quadratic in memory; keep inputs speech-sized.
		if len(a) > 200 || len(b) > 200 {
			return
		}
		k = k%40 - 1 // mostly small bounds, sometimes unbounded
		d := DamerauLevenshtein(a, b, k)
		if d2 := DamerauLevenshtein(b, a, k); d2 != d {
			t.Fatalf("not symmetric: d(%q, %q) = %d, d(b, a) = %d", a, b, d, d2)
		}
		la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
		if d > max(la, lb) || d < 0 {
			t.Fatalf("DamerauLevenshtein(%q, %q, %d) = %d outside [0, %d]", a, b, k, d, max(la, lb))
		}
		if k >= 0 && d > k+1 {
			t.Fatalf("DamerauLevenshtein(%q, %q, %d) = %d exceeds max+1", a, b, k, d)
		}
		if (d == 0) != (a == b) && utf8.ValidString(a) && utf8.ValidString(b) {
			t.Fatalf("DamerauLevenshtein(%q, %q, %d) = %d", a, b, k, d)
		}
		if lev := Levenshtein(a, b, k); lev < d {
			t.Fatalf("Levenshtein %d < OSA %d for %q, %q", lev, d, a, b)
		}
		checkDistances(t, a, b, k)
	})
}

var benchInt int

func BenchmarkDamerauLevenshtein(b *testing.B) {
	for _, bc := range []struct {
		name, a, b string
		max        int
	}{
		{"word/bounded", "thalindra", "tahlindra", 2},
		{"word/unbounded", "thalindra", "tahlindra", -1},
		{"miss/bounded", "fireball", "moonwhisper", 2},
		{"unicode/bounded", "Thálindra", "Tahlindra", 2},
		{"long/bounded", strings.Repeat("abcdefgh", 12), strings.Repeat("abcdefhg", 12), 3},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchInt = DamerauLevenshtein(bc.a, bc.b, bc.max)
			}
		})
	}
}

func BenchmarkLevenshtein(b *testing.B) {
	for _, bc := range []struct {
		name, a, b string
		max        int
	}{
		{"word/bounded", "thalindra", "tahlindra", 2},
		{"word/unbounded", "thalindra", "tahlindra", -1},
		{"miss/bounded", "fireball", "moonwhisper", 2},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchInt = Levenshtein(bc.a, bc.b, bc.max)
			}
		})
	}
}
