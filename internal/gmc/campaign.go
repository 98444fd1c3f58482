package gmc

import "time"

// Role is a member's role inside one campaign.
type Role string

// Roles, from most to least powerful.
const (
	RoleGM       Role = "gm"
	RolePlayer   Role = "player"
	RoleObserver Role = "observer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleGM || r == RolePlayer || r == RoleObserver
}

// AtLeast reports whether r grants at least what min grants.
func (r Role) AtLeast(min Role) bool {
	return r.rank() >= min.rank()
}

func (r Role) rank() int {
	switch r {
	case RoleGM:
		return 3
	case RolePlayer:
		return 2
	case RoleObserver:
		return 1
	}
	return 0
}

// Campaign is one game world run by its GMs.
type Campaign struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	GameSystem  string           `json:"game_system"`
	Settings    CampaignSettings `json:"settings"`
	CreatedBy   string           `json:"created_by"`
	Version     int64            `json:"version"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

// CampaignSettings are the campaign-wide knobs later features read.
type CampaignSettings struct {
	// ReminderSessions is how many sessions a hook or foreshadowing may sit
	// untouched before the GM is reminded.
	ReminderSessions int `json:"reminder_sessions" minimum:"1" maximum:"100"`
	// KeywordThreshold is the confidence below which live keyword alerts are dropped.
	KeywordThreshold float64 `json:"keyword_threshold" minimum:"0" maximum:"1"`
}

// DefaultCampaignSettings are used when a campaign is created without settings.
func DefaultCampaignSettings() CampaignSettings {
	return CampaignSettings{ReminderSessions: 3, KeywordThreshold: 0.6}
}

// Validate checks the settings' ranges.
func (s CampaignSettings) Validate(v *Validator, location string) {
	v.Check(s.ReminderSessions >= 1 && s.ReminderSessions <= 100, location+".reminder_sessions", "must be between 1 and 100")
	v.Check(s.KeywordThreshold >= 0 && s.KeywordThreshold <= 1, location+".keyword_threshold", "must be between 0 and 1")
}

// Validate checks a campaign's editable fields.
func (c *Campaign) Validate() error {
	var v Validator
	ValidateName(&v, "body.name", c.Name)
	ValidateText(&v, "body.description", c.Description, MaxTextLen)
	v.Check(len(c.GameSystem) <= MaxNameLen, "body.game_system", "must be at most 255 characters")
	c.Settings.Validate(&v, "body.settings")
	return v.Err()
}

// Member is a user's membership in a campaign.
type Member struct {
	CampaignID  string    `json:"campaign_id"`
	UserID      string    `json:"user_id"`
	Role        Role      `json:"role"`
	Email       string    `json:"email,omitempty"`
	DisplayName string    `json:"display_name,omitempty"`
	JoinedAt    time.Time `json:"joined_at"`
}

// Invite lets whoever holds its code join a campaign with a role.
type Invite struct {
	ID         string    `json:"id"`
	CampaignID string    `json:"campaign_id"`
	Code       string    `json:"code"`
	Role       Role      `json:"role"`
	MaxUses    int       `json:"max_uses"`
	Uses       int       `json:"uses"`
	CreatedBy  string    `json:"created_by"`
	ExpiresAt  time.Time `json:"expires_at"`
	CreatedAt  time.Time `json:"created_at"`
}
