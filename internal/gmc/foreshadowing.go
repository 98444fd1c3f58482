package gmc

import (
	"strings"
	"time"
)

// Foreshadowing is a hint the GM planted for a plot thread, waiting to be
// revealed. PlantedSessionNumber is the number of the planting session, or
// the campaign's latest played session when it was planted between
// sessions; reminders measure from it.
//
// Who sees what: GMs see every item; players see the revealed items of
// threads visible to them — an unrevealed hint is the GM's secret.
type Foreshadowing struct {
	ID                   string     `json:"id"`
	CampaignID           string     `json:"campaign_id"`
	PlotID               string     `json:"plot_id"`
	Description          string     `json:"description"`
	PlantedSessionID     *string    `json:"planted_session_id"`
	PlantedSessionNumber int        `json:"planted_session_number"`
	Revealed             bool       `json:"revealed"`
	RevealedSessionID    *string    `json:"revealed_session_id"`
	RevealedAt           *time.Time `json:"revealed_at"`
	Version              int64      `json:"version"`
	CreatedAt            time.Time  `json:"created_at"`
	UpdatedAt            time.Time  `json:"updated_at"`
}

// MaxForeshadowingLen bounds a foreshadowing description.
const MaxForeshadowingLen = 20_000

// Validate checks a foreshadowing item's editable fields.
func (f *Foreshadowing) Validate() error {
	var v Validator
	n := len([]rune(strings.TrimSpace(f.Description)))
	v.Check(n > 0, "body.description", "is required")
	ValidateText(&v, "body.description", f.Description, MaxForeshadowingLen)
	v.Check(f.Revealed || (f.RevealedSessionID == nil && f.RevealedAt == nil), "body.revealed", "an unrevealed item has no reveal session or time")
	return v.Err()
}

// VisibleTo reports whether a member with role r may see f of a thread
// with visibility plot.
func (f *Foreshadowing) VisibleTo(r Role, plot Visibility) bool {
	return r == RoleGM || (f.Revealed && plot.VisibleTo(r))
}
