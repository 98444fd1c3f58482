// Package summary turns a session's transcript into a summary: scenes and
// their kinds, a recap for the GM and one safe for players, the entities
// named, plot points, relationship changes and achievements, each with the
// transcript segments it came from, and the database updates it proposes.
//
// Summarizer is the interface the summary job calls; Builtin is the
// built-in implementation (no model, no network: extractive and rule
// based). A language-model implementation fills the same interface.
package summary

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Summarizer makes a session's summary.
type Summarizer interface {
	Summarize(ctx context.Context, in SummaryInput) (*Summary, error)
}

// Segment is one transcript segment as the summarizer reads it.
type Segment struct {
	ID      string
	Seq     int64
	StartMS int64
	EndMS   int64
	// Speaker is the name shown in the recap: the speaker's character, or
	// member, or diarization label.
	Speaker string
	// CharacterID is the speaker's character, when mapped.
	CharacterID string
	Text        string
}

// Entity is a campaign character or location the transcript may name.
type Entity struct {
	ID      string
	Name    string
	Aliases []string
	// Kind is "pc", "npc" or "location".
	Kind   string
	Tags   []string
	GMOnly bool
}

// Milestone is a step of a plot thread.
type Milestone struct {
	ID    string
	Title string
	Done  bool
}

// Plot is a campaign plot thread.
type Plot struct {
	ID           string
	Title        string
	Status       gmc.PlotStatus
	Progress     int
	CharacterIDs []string
	LocationIDs  []string
	Milestones   []Milestone
	GMOnly       bool
}

// SummaryInput is everything a summarizer reads about a session.
type SummaryInput struct {
	// CampaignID is the campaign a language model's tokens are counted
	// in; Campaign is its name, which prompts name.
	CampaignID string
	Campaign   string
	Segments   []Segment
	Characters []Entity
	Locations  []Entity
	Plots      []Plot
	// Hits are the keyword engine's detections in the session's segments.
	Hits []*gmc.KeywordHit
	// Known reports words that are names of something already known
	// beside the campaign's entities (SRD terms, custom keywords): they
	// are never proposed as new NPCs. Nil knows nothing more.
	Known func(word string) bool
	// Secrets are further GM-only phrases (GM-only custom keywords) the
	// player recap must not contain.
	Secrets []string
	// Progress, when set, is told how far the work is.
	Progress func(fraction float64, message string)
}

// Summary is what a summarizer made: the summary (ids, times and version
// left for the caller) and the proposals (Kind, Target, Payload and
// Evidence set).
type Summary struct {
	gmc.SessionSummary
	Proposals []*gmc.Proposal
}
