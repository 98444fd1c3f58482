package pocketsphinx

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestLTSHeldOut learns from 19 of every 20 dictionary words and measures
// the phone error rate on the 20th.
func TestLTSHeldOut(t *testing.T) {
	t.Parallel()
	dict := filepath.Join(needModel(t), "cmudict-en-us.dict")
	heldOut := func(i int, _ string) bool { return i%20 == 7 }
	m, err := TrainLTS(dict, heldOut)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := readDict(dict)
	if err != nil {
		t.Fatal(err)
	}
	var edits, phones, wordsWrong, words int
	for i, e := range entries {
		if !heldOut(i, e.word) {
			continue
		}
		got := m.Pronounce(e.word)
		d := editDistance(got, e.phones)
		edits += d
		phones += len(e.phones)
		words++
		if d > 0 {
			wordsWrong++
		}
	}
	per := float64(edits) / float64(phones)
	t.Logf("letter-to-sound on %d held-out words: phone error rate %.3f, word error rate %.3f", words, per, float64(wordsWrong)/float64(words))
	if per > 0.2 {
		t.Errorf("phone error rate %.3f on held-out words, want at most 0.2", per)
	}
	for _, w := range []string{"xylandra", "vexmoor", "thandrel"} {
		if p := m.Pronounce(w); len(p) < 4 {
			t.Errorf("Pronounce(%q) = %v, want a full pronunciation", w, p)
		} else {
			t.Logf("Pronounce(%q) = %s", w, strings.Join(p, " "))
		}
	}
}

func editDistance(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
