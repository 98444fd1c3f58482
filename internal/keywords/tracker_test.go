package keywords

import (
	"testing"
	"time"
)

func TestTrackerMergesWithinWindow(t *testing.T) {
	goblin := Term{Key: "srd:monster:goblin", Name: "Goblin"}
	ogre := Term{Key: "srd:monster:ogre", Name: "Ogre"}
	det := func(term Term, conf float64) Detection { return Detection{Term: term, Confidence: conf} }
	t0 := time.Date(2026, 1, 2, 20, 0, 0, 0, time.UTC)
	tr := NewTracker(30 * time.Second)
	steps := []struct {
		at     time.Duration
		dets   []Detection
		merged []bool // per returned alert
		counts []int
	}{
		{0, []Detection{det(goblin, 0.7), det(goblin, 0.9)}, []bool{false}, []int{1}}, // two mentions, one segment
		{10 * time.Second, []Detection{det(goblin, 0.8), det(ogre, 0.95)}, []bool{true, false}, []int{2, 1}},
		{35 * time.Second, []Detection{det(goblin, 0.6)}, []bool{true}, []int{3}},  // within 30 s of the last mention
		{70 * time.Second, []Detection{det(goblin, 0.6)}, []bool{false}, []int{1}}, // window passed
		{71 * time.Second, nil, nil, nil},
	}
	for i, s := range steps {
		got := tr.Observe(t0.Add(s.at), s.dets)
		if len(got) != len(s.merged) {
			t.Fatalf("step %d: %d alerts, want %d", i, len(got), len(s.merged))
		}
		for k, a := range got {
			if a.Merged != s.merged[k] || a.Count != s.counts[k] {
				t.Errorf("step %d alert %s: merged %v count %d, want %v %d", i, a.Term.Name, a.Merged, a.Count, s.merged[k], s.counts[k])
			}
		}
		if i == 0 && got[0].Best.Confidence != 0.9 {
			t.Errorf("Best = %v, want the most confident mention", got[0].Best.Confidence)
		}
	}
}

func TestTrackerDefaultWindow(t *testing.T) {
	if tr := NewTracker(0); tr.window != DefaultWindow {
		t.Errorf("window = %v, want %v", tr.window, DefaultWindow)
	}
}
