package keywords

import (
	"sync"
	"time"
)

// DefaultWindow is how long after a term's last mention a new mention is
// merged into its alert instead of raising another.
const DefaultWindow = 30 * time.Second

// Alert is what the game master sees for a term: one per burst of
// mentions.
type Alert struct {
	Term Term `json:"term"`
	// Best is the most confident mention so far.
	Best Detection `json:"best"`
	// First and Last are the times of the first and latest mention.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// Count is the number of mentions merged into the alert.
	Count int `json:"count"`
	// Merged is true when this mention updates an alert raised earlier
	// in the window, which a client should update rather than show anew.
	Merged bool `json:"merged"`
}

// Tracker merges repeated mentions of a term within a sliding window, so
// that "the goblin … the goblins … that goblin" is one alert. It is safe
// for concurrent use; one Tracker serves one session.
type Tracker struct {
	window time.Duration
	mu     sync.Mutex
	alerts map[string]*Alert // by Term.Key
}

// NewTracker returns a tracker with the given window (DefaultWindow when
// window <= 0).
func NewTracker(window time.Duration) *Tracker {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Tracker{window: window, alerts: make(map[string]*Alert)}
}

// Observe records the detections of a segment spoken at `at` and returns
// one alert per term detected: a new alert, or the updated earlier one
// with Merged set. Several mentions of a term in one segment count once.
func (t *Tracker) Observe(at time.Time, dets []Detection) []Alert {
	t.mu.Lock()
	defer t.mu.Unlock()
	for key, a := range t.alerts {
		if at.Sub(a.Last) > t.window {
			delete(t.alerts, key)
		}
	}
	var out []Alert
	seen := make(map[string]bool, len(dets))
	for _, d := range dets {
		key := d.Term.Key
		a, ok := t.alerts[key]
		switch {
		case seen[key]:
			if d.Confidence > a.Best.Confidence {
				a.Best = d
			}
			continue
		case ok:
			a.Count++
			a.Last = at
			a.Merged = true
			if d.Confidence > a.Best.Confidence {
				a.Best = d
			}
		default:
			a = &Alert{Term: d.Term, Best: d, First: at, Last: at, Count: 1}
			t.alerts[key] = a
		}
		seen[key] = true
		out = append(out, *a)
	}
	// Copies were appended before later mentions in this segment could
	// raise Best; refresh them.
	for i := range out {
		out[i].Best = t.alerts[out[i].Term.Key].Best
	}
	return out
}
