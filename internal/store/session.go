package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// SessionFilter selects a campaign's game sessions.
type SessionFilter struct {
	CampaignID string
	Status     gmc.SessionStatus
	Page       gmc.Page
}

// SessionStore keeps game sessions.
type SessionStore interface {
	// CreateSession inserts s with the campaign's next number (set on s).
	CreateSession(ctx context.Context, s *gmc.GameSession, ev *gmc.Event) error
	// Session returns the session with id, or ErrNotFound.
	Session(ctx context.Context, id string) (*gmc.GameSession, error)
	// Sessions lists a campaign's sessions by number and the next cursor
	// (the cursor is the last id: numbers rise with ids).
	Sessions(ctx context.Context, f SessionFilter) ([]*gmc.GameSession, string, error)
	// MemberSessions is Sessions with userID's role, read in the list's own
	// statement (only an empty page costs a second one). ErrNotFound when
	// userID is not a member of f.CampaignID.
	MemberSessions(ctx context.Context, userID string, f SessionFilter) ([]*gmc.GameSession, string, gmc.Role, error)
	// UpdateSession writes s's fields (status and times included) when the
	// stored version equals s.Version, then increments it. ErrNotFound;
	// ErrConflict on a stale version, and with code "session_live" when s
	// would become live while another session of the campaign is.
	UpdateSession(ctx context.Context, s *gmc.GameSession, ev *gmc.Event) error
	// DeleteSession removes a session. ErrNotFound.
	DeleteSession(ctx context.Context, id string, ev *gmc.Event) error
}
