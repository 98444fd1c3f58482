package gmc

import (
	"encoding/json"
	"time"
)

// Kinds of keyword hits.
const (
	// HitTerm is a mention of a dictionary term: an SRD entry, a campaign
	// entity or a custom keyword.
	HitTerm = "term"
	// HitRule is a rule phrase: dice, a DC, a saving throw, damage, a
	// condition applied to a character.
	HitRule = "rule"
)

// KeywordHit is one detection in a transcript segment, kept so that the
// session's keywords can be read back after the table has moved on.
//
// Who sees what: GMOnly hits (mentions of GM-only entities and keywords,
// and rule phrases about GM-only characters) are shown to GMs only. It is
// decided when the segment is heard: a hit keeps the visibility its term
// had then.
type KeywordHit struct {
	ID        string `json:"id"`
	SessionID string `json:"session_id"`
	SegmentID string `json:"segment_id"`
	// Seq is the seq of the segment.
	Seq  int64  `json:"seq"`
	Kind string `json:"kind"`
	// TermKey is the dictionary key ("srd:spell:fireball",
	// "character:<id>") or, for a rule, "rule:<event kind>".
	TermKey  string `json:"term_key"`
	Name     string `json:"name"`
	Category string `json:"category"`
	// Source is "srd", "campaign", "custom" or, for a rule, "rules".
	Source string `json:"source"`
	// Ref locates the term's card ("spell/fireball", "characters/<id>").
	Ref string `json:"ref"`
	// Span holds the byte offsets [start, end) of the mention in the
	// segment's text.
	Span       [2]int  `json:"span"`
	Surface    string  `json:"surface"`
	Confidence float64 `json:"confidence"`
	// Reason is how the term was recognised (exact, alias, fuzzy,
	// phonetic, context; "pattern" for a rule).
	Reason string `json:"reason"`
	GMOnly bool   `json:"gm_only"`
	// Merged is true when the mention repeated a term alerted shortly
	// before, so no new alert was raised for it.
	Merged bool `json:"merged"`
	// Values and Characters are a rule's numbers and names and the
	// characters it is about.
	Values     json.RawMessage `json:"values,omitempty"`
	Characters []string        `json:"characters,omitempty"`
	CreatedAt  time.Time       `json:"created_at"`
}
