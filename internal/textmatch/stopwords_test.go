package textmatch

import "testing"

func TestIsStopWord(t *testing.T) {
	tests := []struct {
		word string
		want bool
	}{
		{"the", true},
		{"The", true},
		{"OF", true},
		{"um", true},
		{"its", true},
		{"", false},
		{"dragon", false},
		{"thalindra", false},
		{"will", false}, // Will saves
		{"might", false},
		{"the dragon", false},
	}
	for _, tc := range tests {
		if got := IsStopWord(tc.word); got != tc.want {
			t.Errorf("IsStopWord(%q) = %v, want %v", tc.word, got, tc.want)
		}
	}
	for _, tok := range Tokenize("It's the Dwarves' hall, um, of Khaldrun") {
		if want := tok.Text == "it" || tok.Text == "the" || tok.Text == "um" || tok.Text == "of"; IsStopWord(tok.Text) != want {
			t.Errorf("IsStopWord(%q) = %v", tok.Text, !want)
		}
	}
}

func TestIsStopWordNoAlloc(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		_ = IsStopWord("the")
		_ = IsStopWord("dragon")
	}); n != 0 {
		t.Errorf("IsStopWord allocates %v times for folded words", n)
	}
}

var benchBool bool

func BenchmarkIsStopWord(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchBool = IsStopWord("dragon")
	}
}
