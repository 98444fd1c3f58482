package speech

import (
	"reflect"
	"testing"
)

func TestMerge(t *testing.T) {
	w := func(text string, start, end int64) Word { return Word{Text: text, StartMS: start, EndMS: end} }
	type seg struct {
		Label      string
		Start, End int64
		Text       string
	}
	tests := []struct {
		name  string
		words []Word
		turns []Turn
		want  []seg
	}{
		{
			name:  "no turns: everything to the fallback",
			words: []Word{w("i", 0, 100), w("cast", 100, 400)},
			want:  []seg{{"mic", 0, 400, "i cast"}},
		},
		{
			name:  "largest overlap wins a word on a turn change",
			words: []Word{w("hold", 0, 300), w("the", 300, 400), w("door", 400, 900), w("no", 1000, 1300)},
			turns: []Turn{{0, 700, "A"}, {650, 1400, "B"}},
			want:  []seg{{"A", 0, 900, "hold the door"}, {"B", 1000, 1300, "no"}},
		},
		{
			name:  "a label's turns add up",
			words: []Word{w("fireball", 0, 1000)},
			turns: []Turn{{0, 300, "A"}, {300, 700, "B"}, {700, 1000, "A"}},
			want:  []seg{{"A", 0, 1000, "fireball"}},
		},
		{
			name:  "a word outside every turn goes to the nearest",
			words: []Word{w("yes", 0, 200), w("run", 1500, 1800)},
			turns: []Turn{{0, 250, "A"}, {1000, 1400, "B"}},
			want:  []seg{{"A", 0, 200, "yes"}, {"B", 1500, 1800, "run"}},
		},
		{
			name:  "speakers alternate into separate segments",
			words: []Word{w("a", 0, 100), w("b", 200, 300), w("c", 400, 500)},
			turns: []Turn{{0, 150, "A"}, {150, 350, "B"}, {350, 600, "A"}},
			want:  []seg{{"A", 0, 100, "a"}, {"B", 200, 300, "b"}, {"A", 400, 500, "c"}},
		},
		{
			name: "no words, no segments",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []seg
			for _, s := range Merge(tt.words, tt.turns, "mic") {
				got = append(got, seg{s.Label, s.StartMS, s.EndMS, s.Text()})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Merge:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestTranscriptText(t *testing.T) {
	tr := Transcript{Words: []Word{{Text: "magic"}, {Text: "missile"}}}
	if got := tr.Text(); got != "magic missile" {
		t.Errorf("Text() = %q", got)
	}
	if got := (&Transcript{}).Text(); got != "" {
		t.Errorf("empty Text() = %q", got)
	}
}
