package keywords

// ReasonAlternative marks a detection found in the recogniser's other
// readings of the utterance (n-best) but not in its best one.
const ReasonAlternative = "alternative"

// DetectAlternatives detects terms in a recogniser's best reading of an
// utterance and adds the terms its other readings (alts, n-best without
// the best one) agree on.
//
// The rule is a vote: the n-best list is read as a sample of what the
// recogniser thinks may have been said, so a term that a strict majority
// of all its readings (the best one included, where it is missing)
// contains is more likely said than not, although the single best reading
// lost it. A term in only one or a few readings is a guess and is left
// out, which keeps precision: the alternatives can add terms, never
// remove or change the best reading's detections. With no alternatives
// the result is Detect(best).
//
// An added detection has no place in best: its Span is the empty [0, 0]
// (mentions are never empty, so consumers can tell), its Surface is the
// words of the first alternative that contains it, its Confidence the
// highest among the alternatives, and its Reason ReasonAlternative.
// Added detections follow best's, in the order of first appearance.
func (e *Engine) DetectAlternatives(best string, alts []string) []Detection {
	dets := e.Detect(best)
	if len(alts) == 0 {
		return dets
	}
	seen := make(map[string]bool, len(dets))
	for _, d := range dets {
		seen[d.Term.Key] = true
	}
	type vote struct {
		det   Detection
		count int
	}
	votes := map[string]*vote{}
	var order []string
	for _, alt := range alts {
		inAlt := map[string]bool{}
		for _, d := range e.Detect(alt) {
			k := d.Term.Key
			if seen[k] || inAlt[k] {
				continue
			}
			inAlt[k] = true
			v := votes[k]
			if v == nil {
				v = &vote{det: d}
				votes[k] = v
				order = append(order, k)
			} else if d.Confidence > v.det.Confidence {
				v.det.Confidence = d.Confidence
			}
			v.count++
		}
	}
	readings := len(alts) + 1
	for _, k := range order {
		v := votes[k]
		if 2*v.count <= readings {
			continue
		}
		d := v.det
		d.Span = [2]int{}
		d.Reason = ReasonAlternative
		dets = append(dets, d)
	}
	return dets
}
