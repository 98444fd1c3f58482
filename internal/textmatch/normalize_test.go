package textmatch

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"gandalf", "gandalf"},
		{"Thálindra", "thalindra"},
		{"THÁLINDRA", "thalindra"},
		{"Khaldrun's axe", "khaldrun's axe"},
		{"Khaldrun’s axe", "khaldrun's axe"}, // curly apostrophe
		{"half-orc", "half-orc"},
		{"half‐orc", "half-orc"}, // U+2010 HYPHEN
		{"sword – shield", "sword shield"},
		{"  The   Dragon,\tthe\nLich!  ", "the dragon the lich"},
		{"'quoted'", "quoted"},
		{"rock 'n' roll", "rock n roll"},
		{"dwarves' hall", "dwarves hall"},
		{"a--b", "a b"},
		{"a'-b", "a b"},
		{"-dash-", "dash"},
		{"D&D 5e", "d d 5e"},
		{"+1 longsword", "1 longsword"},
		{"Ｆｕｌｌｗｉｄｔｈ", "fullwidth"}, // NFKC
		{"ﬁre", "fire"},            // ligature, NFKC
		{"Straße", "strasse"},      // full case folding
		{"Bjørn Æthelred", "bjorn aethelred"},
		{"Łódź", "lodz"},
		{"Þórr", "thorr"},
		{"İstanbul", "istanbul"},
		{"ΣΟΦΙΑ σοφια", "σοφια σοφια"},   // final sigma folds
		{"Thal\u00ADindra", "thalindra"}, // soft hyphen is invisible
		{"Ñoño", "nono"},
		{"x²", "x2"},
		{"Zoë  d'Arc", "zoe d'arc"},
		{"e\u0301", "e"}, // decomposed accent
		{"\u0301lone", "lone"},
		{"日本語 テキスト", "日本語 テキスト"},
		{"invalid \xff utf8", "invalid utf8"},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Khaldrun's", "khaldruns"},
		{"half-orc", "halforc"},
		{"Half-Orc Barbarian", "halforc barbarian"},
		{"Thálindra", "thalindra"},
		{"D'Artagnan", "dartagnan"},
		{"rock 'n' roll", "rock n roll"},
		{"  Lord  Soth ", "lord soth"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeNoAllocWhenClean(t *testing.T) {
	for _, s := range []string{"the red dragon", "khaldrun's half-orc"} {
		if n := testing.AllocsPerRun(100, func() { _ = Normalize(s) }); n != 0 {
			t.Errorf("Normalize(%q) allocates %v times", s, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Fold("thalindra") }); n != 0 {
		t.Errorf("Fold of a folded key allocates %v times", n)
	}
}

// checkNormalized verifies the properties every Normalize or Fold result
// must have, whatever the input.
func checkNormalized(t *testing.T, fn string, in, out string, fold bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q: invalid UTF-8", fn, in, out)
	}
	if out != strings.TrimSpace(out) || strings.Contains(out, "  ") {
		t.Fatalf("%s(%q) = %q: whitespace not collapsed", fn, in, out)
	}
	if !norm.NFC.IsNormalString(out) {
		t.Fatalf("%s(%q) = %q: not NFC", fn, in, out)
	}
	for i, r := range out {
		switch {
		case foldRune(r) != r:
			t.Fatalf("%s(%q) = %q: %q not case-folded", fn, in, out, r)
		case r == ' ':
		case r == '\'' || r == '-':
			if fold {
				t.Fatalf("%s(%q) = %q: joiner %q kept", fn, in, out, r)
			}
			prev, _ := utf8.DecodeLastRuneInString(out[:i])
			next, _ := utf8.DecodeRuneInString(out[i+1:])
			if !isWordRune(prev) || !isWordRune(next) {
				t.Fatalf("%s(%q) = %q: joiner at %d not inside a word", fn, in, out, i)
			}
		case unicode.Is(unicode.Mn, r):
			t.Fatalf("%s(%q) = %q: diacritic %U kept", fn, in, out, r)
		case !isWordRune(r):
			t.Fatalf("%s(%q) = %q: separator %U kept", fn, in, out, r)
		}
	}
}

// TestNormalizeEveryRune checks the invariants on every code point, alone
// and inside a word, which fuzzing reaches only slowly.
func TestNormalizeEveryRune(t *testing.T) {
	if testing.Short() {
		t.Skip("sweeps all of Unicode")
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		for _, s := range []string{string(r), "a" + string(r) + "b"} {
			n := Normalize(s)
			checkNormalized(t, "Normalize", s, n, false)
			if n2 := Normalize(n); n2 != n {
				t.Fatalf("Normalize not idempotent: %q -> %q -> %q", s, n, n2)
			}
			k := Fold(s)
			checkNormalized(t, "Fold", s, k, true)
			if k2 := Fold(k); k2 != k {
				t.Fatalf("Fold not idempotent: %q -> %q -> %q", s, k, k2)
			}
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "Thálindra", "Khaldrun's half-orc", "rock 'n' roll", "ΣΟΦΙΑ",
		"Straße", "İ", "ﬁ", "x²", "\u0301", "e\u0301\u0327", "a\u00ADb",
		"\xff\xfe", "ǅ", "ᾼ", "ﬀ", "ŉ", "Ǆ", "ㄱㅏ", "가", "\u0345",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		checkNormalized(t, "Normalize", s, n, false)
		if n2 := Normalize(n); n2 != n {
			t.Fatalf("Normalize not idempotent: %q -> %q -> %q", s, n, n2)
		}
		k := Fold(s)
		checkNormalized(t, "Fold", s, k, true)
		if k2 := Fold(k); k2 != k {
			t.Fatalf("Fold not idempotent: %q -> %q -> %q", s, k, k2)
		}
		if k3 := Fold(n); k3 != k {
			t.Fatalf("Fold(Normalize(%q)) = %q, Fold = %q", s, k3, k)
		}
	})
}

var benchSink string

func BenchmarkNormalize(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"clean", "the red dragon of the north"},
		{"ascii", "The Red Dragon, of the North!"},
		{"unicode", "Thálindra and Khaldrun’s Æthelred"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchSink = Normalize(bc.in)
			}
		})
	}
}

func BenchmarkFold(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"clean", "thalindra"},
		{"ascii", "Khaldrun's"},
		{"unicode", "Thálindra"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchSink = Fold(bc.in)
			}
		})
	}
}
