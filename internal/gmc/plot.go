package gmc

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// PlotStatus is where a plot thread stands.
type PlotStatus string

// Plot statuses.
const (
	PlotHook      PlotStatus = "hook"
	PlotActive    PlotStatus = "active"
	PlotStalled   PlotStatus = "stalled"
	PlotResolved  PlotStatus = "resolved"
	PlotAbandoned PlotStatus = "abandoned"
)

// Valid reports whether s is known.
func (s PlotStatus) Valid() bool {
	switch s {
	case PlotHook, PlotActive, PlotStalled, PlotResolved, PlotAbandoned:
		return true
	}
	return false
}

// Closed reports whether a thread with status s is finished: resolved or
// abandoned. A closed thread blocks no thread that depends on it (an
// abandoned prerequisite will never resolve, and a thread blocked forever
// only hides the GM's real open work), and needs no reminder.
func (s PlotStatus) Closed() bool { return s == PlotResolved || s == PlotAbandoned }

// Limits of a plot thread.
const (
	MaxMilestones = 100
	MaxPlotLinks  = 200
)

// Milestone is one step of a plot thread. Order counts from 1.
type Milestone struct {
	ID            string     `json:"id"`
	Title         string     `json:"title"`
	Done          bool       `json:"done"`
	Order         int        `json:"order"`
	DoneAt        *time.Time `json:"done_at"`
	DoneSessionID *string    `json:"done_session_id"`
}

// PlotThread is a storyline of a campaign.
//
// Who sees what: a thread with visibility "gm" exists for GMs only. In
// what players are shown, links to hidden characters and locations and
// dependencies on hidden threads are left out.
//
// LastTouchedSessionNumber is what reminders measure: the number of the
// session in which the thread's status, progress or milestones last changed
// — the session named by the change, or else the campaign's latest played
// (live or ended) session at the time, 0 before the first one.
type PlotThread struct {
	ID                       string      `json:"id"`
	CampaignID               string      `json:"campaign_id"`
	Title                    string      `json:"title"`
	Summary                  string      `json:"summary"`
	Status                   PlotStatus  `json:"status"`
	Progress                 int         `json:"progress"`
	Milestones               []Milestone `json:"milestones"`
	CharacterIDs             []string    `json:"character_ids"`
	LocationIDs              []string    `json:"location_ids"`
	Visibility               Visibility  `json:"visibility"`
	LastTouchedSessionID     *string     `json:"last_touched_session_id"`
	LastTouchedSessionNumber int         `json:"last_touched_session_number"`
	// BlockedBy lists the unclosed threads this one depends on directly.
	// Stores compute it on read; it is not written.
	BlockedBy []PlotRef `json:"blocked_by"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PlotRef names a plot thread in another answer (blocked_by, dependencies).
type PlotRef struct {
	ID     string     `json:"id"`
	Title  string     `json:"title"`
	Status PlotStatus `json:"status"`
	// Depth is how many dependency edges away the thread is, in a
	// dependency listing; 0 elsewhere.
	Depth int `json:"depth,omitempty"`
}

// Normalize trims titles, sorts and de-duplicates the links, and puts the
// milestones in order: by their Order field, stably (equal orders keep the
// order of the list), those without one (0) last; then Order is
// renumbered from 1.
func (p *PlotThread) Normalize() {
	p.Title = strings.TrimSpace(p.Title)
	p.CharacterIDs = sortedUnique(p.CharacterIDs)
	p.LocationIDs = sortedUnique(p.LocationIDs)
	if p.Milestones == nil {
		p.Milestones = []Milestone{}
	}
	key := func(m Milestone) int {
		if m.Order <= 0 {
			return math.MaxInt
		}
		return m.Order
	}
	slices.SortStableFunc(p.Milestones, func(a, b Milestone) int { return cmp.Compare(key(a), key(b)) })
	for i := range p.Milestones {
		p.Milestones[i].Title = strings.TrimSpace(p.Milestones[i].Title)
		p.Milestones[i].Order = i + 1
	}
	if p.BlockedBy == nil {
		p.BlockedBy = []PlotRef{}
	}
}

// Validate checks a normalised thread's editable fields.
func (p *PlotThread) Validate() error {
	var v Validator
	ValidateName(&v, "body.title", p.Title)
	ValidateText(&v, "body.summary", p.Summary, MaxTextLen)
	p.validateState(&v)
	v.Check(p.Visibility.Valid(), "body.visibility", "must be one of gm, players")
	v.Check(len(p.CharacterIDs) <= MaxPlotLinks, "body.character_ids", fmt.Sprintf("must have at most %d entries", MaxPlotLinks))
	v.Check(len(p.LocationIDs) <= MaxPlotLinks, "body.location_ids", fmt.Sprintf("must have at most %d entries", MaxPlotLinks))
	if len(p.Milestones) > MaxMilestones {
		v.Add("body.milestones", "must have at most %d entries", MaxMilestones)
	}
	for i, m := range p.Milestones {
		ValidateName(&v, fmt.Sprintf("body.milestones[%d].title", i), m.Title)
	}
	return v.Err()
}

// validateState checks status and progress, the fields a progress update
// changes.
func (p *PlotThread) validateState(v *Validator) {
	v.Check(p.Status.Valid(), "body.status", "must be one of hook, active, stalled, resolved, abandoned")
	v.Check(p.Progress >= 0 && p.Progress <= 100, "body.progress", "must be between 0 and 100")
}

// ValidateState checks status and progress alone.
func (p *PlotThread) ValidateState() error {
	var v Validator
	p.validateState(&v)
	return v.Err()
}

// Ref returns the reference to p.
func (p *PlotThread) Ref() PlotRef { return PlotRef{ID: p.ID, Title: p.Title, Status: p.Status} }

// Milestone returns the index of the milestone with id, or -1.
func (p *PlotThread) Milestone(id string) int {
	return slices.IndexFunc(p.Milestones, func(m Milestone) bool { return m.ID == id })
}

// StateChanged reports whether status, progress or milestones differ
// between before and p: the changes that count as touching a thread.
func (p *PlotThread) StateChanged(before *PlotThread) bool {
	if p.Status != before.Status || p.Progress != before.Progress || len(p.Milestones) != len(before.Milestones) {
		return true
	}
	for i, m := range p.Milestones {
		o := before.Milestones[i]
		if m.ID != o.ID || m.Title != o.Title || m.Done != o.Done {
			return true
		}
	}
	return false
}

func sortedUnique(ids []string) []string {
	out := slices.Clone(ids)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PlotReminders is what the GM should not forget: open threads and
// foreshadowing left alone for ReminderSessions played sessions or more.
type PlotReminders struct {
	ReminderSessions    int `json:"reminder_sessions"`
	LatestSessionNumber int `json:"latest_session_number"`
	// Plots are hooks and active threads with LatestSessionNumber −
	// LastTouchedSessionNumber ≥ ReminderSessions, longest untouched first.
	Plots []PlotReminder `json:"plots"`
	// Foreshadowing is unrevealed foreshadowing of unclosed threads with
	// LatestSessionNumber − PlantedSessionNumber ≥ ReminderSessions,
	// oldest first.
	Foreshadowing []ForeshadowingReminder `json:"foreshadowing"`
}

// PlotReminder is one thread that needs attention.
type PlotReminder struct {
	Plot                     PlotRef `json:"plot"`
	LastTouchedSessionNumber int     `json:"last_touched_session_number"`
	SessionsUntouched        int     `json:"sessions_untouched"`
}

// ForeshadowingReminder is one planted hint still waiting for its payoff.
type ForeshadowingReminder struct {
	Foreshadowing        *Foreshadowing `json:"foreshadowing"`
	Plot                 PlotRef        `json:"plot"`
	SessionsSincePlanted int            `json:"sessions_since_planted"`
}
