package speech

import "strings"

// Segment is a stretch of one speaker's words: what the live pipeline
// stores and broadcasts as a transcript segment. Times are stream time.
type Segment struct {
	Label   string
	StartMS int64
	EndMS   int64
	Words   []Word
	// Alternatives are other readings of the utterance the segment came
	// from (n-best), for the keyword engine.
	Alternatives []string
}

// Text is the segment's words joined by spaces.
func (s *Segment) Text() string {
	parts := make([]string, len(s.Words))
	for i, w := range s.Words {
		parts[i] = w.Text
	}
	return strings.Join(parts, " ")
}

// Merge gives each word the speaker whose turns overlap it longest and
// groups consecutive words of one speaker into segments. A word no turn
// overlaps goes to the nearest turn, so that a diarizer's slightly early
// turn end does not orphan the last word; with no turns at all every
// word goes to fallback. Words and turns are in stream time; words must
// be in time order, turns need not be.
func Merge(words []Word, turns []Turn, fallback string) []Segment {
	var segs []Segment
	for _, w := range words {
		label := speakerOf(w, turns, fallback)
		if n := len(segs); n > 0 && segs[n-1].Label == label {
			last := &segs[n-1]
			last.Words = append(last.Words, w)
			last.EndMS = max(last.EndMS, w.EndMS)
			continue
		}
		segs = append(segs, Segment{Label: label, StartMS: w.StartMS, EndMS: w.EndMS, Words: []Word{w}})
	}
	return segs
}

// speakerOf picks the label whose turns overlap w the longest, summing a
// label's turns, else the label of the nearest turn.
func speakerOf(w Word, turns []Turn, fallback string) string {
	if len(turns) == 0 {
		return fallback
	}
	overlap := map[string]int64{}
	best, bestOverlap := "", int64(0)
	nearest, nearestGap := "", int64(-1)
	for _, t := range turns {
		if o := min(w.EndMS, t.EndMS) - max(w.StartMS, t.StartMS); o > 0 {
			overlap[t.Label] += o
			if v := overlap[t.Label]; v > bestOverlap || (v == bestOverlap && t.Label < best) {
				best, bestOverlap = t.Label, v
			}
			continue
		}
		gap := max(t.StartMS-w.EndMS, w.StartMS-t.EndMS)
		if nearestGap < 0 || gap < nearestGap || (gap == nearestGap && t.Label < nearest) {
			nearest, nearestGap = t.Label, gap
		}
	}
	if bestOverlap > 0 {
		return best
	}
	return nearest
}
