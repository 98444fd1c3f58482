package keywords

import (
	"strings"

	"github.com/gmc-project/gmc/internal/textmatch"
)

// Events finds the rule phrases of text, in text order. dets are the
// text's detections (Engine.Detect), which name the characters involved
// and the conditions applied to them.
func Events(text string, dets []Detection) []Event {
	c := canonicalize(text)
	var out []Event
	for _, r := range rules {
		for _, loc := range r.re.FindAllStringSubmatchIndex(c.s, -1) {
			sp := c.span(loc[0], loc[1])
			if containedIn(sp, out) {
				continue
			}
			m := make([]string, len(loc)/2)
			for g := range m {
				if loc[2*g] >= 0 {
					m[g] = c.s[loc[2*g]:loc[2*g+1]]
				}
			}
			ev := Event{Kind: r.kind, Span: sp, Text: text[sp[0]:sp[1]]}
			if r.make != nil {
				ev.Values = r.make(m)
			}
			if who := speakerBefore(text, sp[0], dets); who != "" {
				ev.Characters = []string{who}
			}
			out = append(out, ev)
		}
	}
	out = append(out, conditionEvents(text, dets)...)
	sortEvents(out)
	return out
}

func containedIn(sp [2]int, evs []Event) bool {
	for _, e := range evs {
		if e.Span[0] <= sp[0] && sp[1] <= e.Span[1] {
			return true
		}
	}
	return false
}

func sortEvents(evs []Event) {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].Span[0] < evs[j-1].Span[0]; j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}

// isCharacter reports detections of campaign characters.
func isCharacter(d Detection) bool {
	switch d.Term.Category {
	case "pc", "npc", "character":
		return true
	}
	return false
}

// speakerBefore returns the last character named before offset in the
// same sentence: "Grimbold swings … and rolls a natural twenty".
func speakerBefore(text string, offset int, dets []Detection) string {
	who := ""
	for _, d := range dets {
		if d.Span[1] > offset {
			break
		}
		if isCharacter(d) && !strings.ContainsAny(text[d.Span[1]:offset], ".!?") {
			who = d.Term.Name
		}
	}
	return who
}

// conditionEvents turns detected conditions into events, with the
// character they are applied to when one is named as the subject:
// "Grimbold is poisoned", "Korrin's prone", "Pip falls unconscious".
func conditionEvents(text string, dets []Detection) []Event {
	var out []Event
	var toks []textmatch.Token
	for _, d := range dets {
		if d.Term.Category != catCondition {
			continue
		}
		if toks == nil {
			toks = textmatch.Tokenize(text)
		}
		ev := Event{Kind: EventCondition, Span: d.Span, Text: d.Surface,
			Values: map[string]any{"condition": d.Term.Name, "applied": true}}
		k := tokenAt(toks, d.Span[0])
		p := k - 1
		for p >= 0 && stateAdverb(toks[p].Text) {
			if toks[p].Text == "not" || toks[p].Text == "longer" {
				ev.Values["applied"] = false
			}
			p--
		}
		if p >= 0 && (isCopula(toks, p) || isStateVerb(toks[p].Text)) {
			ev.Span[0] = toks[p].Start
			if name := characterEndingAt(toks[p].End, dets); name != "" {
				ev.Characters = []string{name} // "Korrin's prone"
			} else if p > 0 {
				if name := characterEndingAt(toks[p-1].End, dets); name != "" {
					ev.Characters = []string{name}
					ev.Span[0] = toks[p-1].Start
				} else if isPronoun(toks[p-1].Text) {
					ev.Values["target"] = toks[p-1].Text
				}
			}
			if isPronoun(toks[p].Text) {
				ev.Values["target"] = toks[p].Text // "he's", "you're"
			}
			ev.Text = text[ev.Span[0]:ev.Span[1]]
		}
		out = append(out, ev)
	}
	return out
}

func tokenAt(toks []textmatch.Token, offset int) int {
	for i, t := range toks {
		if t.Start >= offset {
			return i
		}
	}
	return len(toks)
}

func characterEndingAt(end int, dets []Detection) string {
	for _, d := range dets {
		if d.Span[1] == end && isCharacter(d) {
			return d.Term.Name
		}
	}
	return ""
}

func isStateVerb(w string) bool {
	switch w {
	case "falls", "fall", "fell", "knocked", "lies", "lying", "left", "becomes", "became", "goes", "went":
		return true
	}
	return false
}

func isPronoun(w string) bool {
	switch w {
	case "i", "im", "you", "youre", "your", "he", "she", "it", "we", "were", "they", "theyre":
		return true
	}
	return false
}
