package gmc

import "time"

// SessionStatus is where a game session is in its life.
type SessionStatus string

// Session statuses.
const (
	SessionScheduled SessionStatus = "scheduled"
	SessionLive      SessionStatus = "live"
	SessionEnded     SessionStatus = "ended"
)

// Valid reports whether s is known.
func (s SessionStatus) Valid() bool {
	return s == SessionScheduled || s == SessionLive || s == SessionEnded
}

// GameSession is the record of one evening at the table. Number counts the
// campaign's sessions from 1 and is assigned by the store.
type GameSession struct {
	ID          string        `json:"id"`
	CampaignID  string        `json:"campaign_id"`
	Number      int           `json:"number"`
	Title       string        `json:"title"`
	ScheduledAt *time.Time    `json:"scheduled_at"`
	Status      SessionStatus `json:"status"`
	StartedAt   *time.Time    `json:"started_at"`
	EndedAt     *time.Time    `json:"ended_at"`
	Notes       string        `json:"notes"`
	Version     int64         `json:"version"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// Validate checks a session's editable fields.
func (s *GameSession) Validate() error {
	var v Validator
	v.Check(len([]rune(s.Title)) <= MaxNameLen, "body.title", "must be at most 255 characters")
	ValidateText(&v, "body.notes", s.Notes, MaxTextLen)
	v.Check(s.Status.Valid(), "body.status", "must be one of scheduled, live, ended")
	return v.Err()
}
