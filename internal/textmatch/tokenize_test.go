package textmatch

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []Token
	}{
		{"", []Token{}},
		{"  ,;  ", []Token{}},
		{"Khaldrun's axe", []Token{
			{Text: "khaldrun", Raw: "Khaldrun's", Start: 0, End: 10, Possessive: true},
			{Text: "axe", Raw: "axe", Start: 11, End: 14},
		}},
		{"I don't know", []Token{
			{Text: "i", Raw: "I", Start: 0, End: 1},
			{Text: "dont", Raw: "don't", Start: 2, End: 7},
			{Text: "know", Raw: "know", Start: 8, End: 12},
		}},
		{"the half-orc", []Token{
			{Text: "the", Raw: "the", Start: 0, End: 3},
			{Text: "half", Raw: "half", Start: 4, End: 8},
			{Text: "orc", Raw: "orc", Start: 9, End: 12},
		}},
		{"the Dwarves' hall", []Token{
			{Text: "the", Raw: "the", Start: 0, End: 3},
			{Text: "dwarves", Raw: "Dwarves'", Start: 4, End: 12, Possessive: true},
			{Text: "hall", Raw: "hall", Start: 13, End: 17},
		}},
		{"Thálindra’s staff", []Token{
			{Text: "thalindra", Raw: "Thálindra’s", Start: 0, End: 14, Possessive: true},
			{Text: "staff", Raw: "staff", Start: 15, End: 20},
		}},
		{"it's Lord Soth's", []Token{
			{Text: "it", Raw: "it's", Start: 0, End: 4},
			{Text: "lord", Raw: "Lord", Start: 5, End: 9},
			{Text: "soth", Raw: "Soth's", Start: 10, End: 16, Possessive: true},
		}},
		{"'quoted' word", []Token{
			{Text: "quoted", Raw: "quoted", Start: 1, End: 7},
			{Text: "word", Raw: "word", Start: 9, End: 13},
		}},
		{"rolls 1d20+5, hits AC 17.", []Token{
			{Text: "rolls", Raw: "rolls", Start: 0, End: 5},
			{Text: "1d20", Raw: "1d20", Start: 6, End: 10},
			{Text: "5", Raw: "5", Start: 11, End: 12},
			{Text: "hits", Raw: "hits", Start: 14, End: 18},
			{Text: "ac", Raw: "AC", Start: 19, End: 21},
			{Text: "17", Raw: "17", Start: 22, End: 24},
		}},
		{"O'Brien's", []Token{
			{Text: "obrien", Raw: "O'Brien's", Start: 0, End: 9, Possessive: true},
		}},
		{"Thal\u00ADindra", []Token{
			{Text: "thalindra", Raw: "Thal\u00ADindra", Start: 0, End: 11},
		}},
		{"Æthelred", []Token{
			{Text: "aethelred", Raw: "Æthelred", Start: 0, End: 9},
		}},
		{"¼ \u0301 x", []Token{
			{Text: "14", Raw: "¼", Start: 0, End: 2},
			{Text: "x", Raw: "x", Start: 6, End: 7},
		}},
		{"bad\xffbyte", []Token{
			{Text: "bad", Raw: "bad", Start: 0, End: 3},
			{Text: "byte", Raw: "byte", Start: 4, End: 8},
		}},
	}
	for _, tc := range tests {
		got := Tokenize(tc.in)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Tokenize(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestTokenizeTextIsSubstringWhenClean(t *testing.T) {
	in := "the red dragon breathes fire"
	if n := testing.AllocsPerRun(100, func() { _ = Tokenize(in) }); n != 1 {
		t.Errorf("Tokenize of clean lower-case text allocates %v times, want 1 (the slice)", n)
	}
}

func TestAppendTokens(t *testing.T) {
	buf := make([]Token, 0, 16)
	buf = AppendTokens(buf, "Khaldrun's axe")
	buf = AppendTokens(buf, "the half-orc")
	want := append(Tokenize("Khaldrun's axe"), Tokenize("the half-orc")...)
	if diff := cmp.Diff(want, buf); diff != "" {
		t.Errorf("AppendTokens mismatch (-want +got):\n%s", diff)
	}
	in := "the red dragon breathes fire"
	if n := testing.AllocsPerRun(100, func() { buf = AppendTokens(buf[:0], in) }); n != 0 {
		t.Errorf("AppendTokens into a reused slice allocates %v times", n)
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{
		"", "Khaldrun's axe", "the half-orc", "Dwarves' hall", "Thálindra’s",
		"it's", "'s", "s'", "a'", "'", "x\u00AD", "\u00ADx", "¼", "\xff's",
		"bad\xffbyte", "e\u0301", "O'Brien's", "ǅ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokenize(s)
		prevEnd := 0
		for i, tok := range toks {
			if tok.Start < prevEnd || tok.Start >= tok.End || tok.End > len(s) {
				t.Fatalf("Tokenize(%q)[%d] = %+v: bad offsets (previous end %d)", s, i, tok, prevEnd)
			}
			if s[tok.Start:tok.End] != tok.Raw {
				t.Fatalf("Tokenize(%q)[%d]: Raw %q != input[%d:%d] %q", s, i, tok.Raw, tok.Start, tok.End, s[tok.Start:tok.End])
			}
			if tok.Text == "" || strings.ContainsAny(tok.Text, " '-") {
				t.Fatalf("Tokenize(%q)[%d]: Text %q is not one folded word", s, i, tok.Text)
			}
			if Fold(tok.Text) != tok.Text {
				t.Fatalf("Tokenize(%q)[%d]: Text %q is not folded (%q)", s, i, tok.Text, Fold(tok.Text))
			}
			prevEnd = tok.End
		}
	})
}

var benchTokens []Token

func BenchmarkTokenize(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"clean", "the red dragon breathes fire on the party"},
		{"mixed", "Khaldrun's half-orc rolls a 17, and Thálindra casts Fireball!"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchTokens = Tokenize(bc.in)
			}
		})
		b.Run(bc.name+"/reuse", func(b *testing.B) {
			b.ReportAllocs()
			toks := make([]Token, 0, 32)
			for b.Loop() {
				toks = AppendTokens(toks[:0], bc.in)
			}
			benchTokens = toks
		})
	}
}
