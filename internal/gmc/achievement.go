package gmc

import "time"

// Achievement is a milestone a GM awards a character. Achievements are a
// record: once awarded they are not edited.
type Achievement struct {
	ID          string `json:"id"`
	CampaignID  string `json:"campaign_id"`
	CharacterID string `json:"character_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// SessionID is the game session it was earned in, if any.
	SessionID *string   `json:"session_id"`
	AwardedAt time.Time `json:"awarded_at"`
	AwardedBy string    `json:"awarded_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks an achievement's fields.
func (a *Achievement) Validate() error {
	var v Validator
	ValidateName(&v, "body.title", a.Title)
	ValidateText(&v, "body.description", a.Description, MaxTextLen)
	return v.Err()
}
