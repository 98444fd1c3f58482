package whisper

import (
	"testing"
)

func FuzzDecodeVerbose(f *testing.F) {
	for _, s := range []string{openAIAnswer, speachesAnswer, vllmAnswer, whisperCppAnswer,
		`{"text":"hello there","duration":"1.5"}`, `{"duration":null,"segments":[{"start":"1","end":0.5,"text":"x"}]}`,
		`{"words":[{"word":"a","start":5,"end":-1}]}`, `{"segments":[{"words":[{"word":"[_BEG_]"},{"word":"x\u00ff"}]}]}`} {
		f.Add([]byte(s), int64(3000))
	}
	f.Fuzz(func(t *testing.T, body []byte, audioMS int64) {
		audioMS = max(audioMS%600000, 0)
		tr, err := decodeVerbose(body, audioMS)
		if err != nil {
			return
		}
		var last int64
		for i, w := range tr.Words {
			if w.Text == "" || w.StartMS < last || w.EndMS < w.StartMS || w.EndMS > audioMS || w.Confidence < 0 || w.Confidence > 1 {
				t.Fatalf("word %d = %+v (audio %d ms, previous start %d)", i, w, audioMS, last)
			}
			last = w.StartMS
		}
	})
}

func TestSpreadKeepsSegmentTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text       string
		start, end int64
		want       int
	}{
		{"", 0, 1000, 0},
		{" ... ", 0, 1000, 0},
		{"one", 500, 900, 1},
		{" The goblin, the orc and the dragon! ", 1000, 4000, 7},
		{"reversed", 900, 500, 1},
	}
	for _, tc := range tests {
		ws := spread(tc.text, tc.start, tc.end)
		if len(ws) != tc.want {
			t.Fatalf("spread(%q) = %d words, want %d", tc.text, len(ws), tc.want)
		}
		for i, w := range ws {
			if w.StartMS < tc.start || w.EndMS > max(tc.end, tc.start) || (i > 0 && w.StartMS != ws[i-1].EndMS) {
				t.Errorf("spread(%q) word %d = %+v, want contiguous inside [%d, %d]", tc.text, i, w, tc.start, tc.end)
			}
		}
		if n := len(ws); n > 0 && tc.end > tc.start && ws[n-1].EndMS != tc.end {
			t.Errorf("spread(%q) ends at %d, want %d", tc.text, ws[n-1].EndMS, tc.end)
		}
	}
}
