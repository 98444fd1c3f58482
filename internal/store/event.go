package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// EventFilter selects audit events of one campaign.
type EventFilter struct {
	CampaignID string
	EntityType string
	EntityID   string
	ActorID    string
	Page       gmc.Page
}

// EventStore reads the audit log; writes happen inside the other stores'
// transactions.
type EventStore interface {
	// Events lists a campaign's events, newest first, and the next cursor.
	Events(ctx context.Context, f EventFilter) ([]*gmc.Event, string, error)
	// MemberEvents is Events for a GM of f.CampaignID, with userID's role:
	// the list is empty unless userID is a GM. The membership is read in
	// the list's statement; only an empty page costs a second one.
	// ErrNotFound when userID is not a member.
	MemberEvents(ctx context.Context, userID string, f EventFilter) ([]*gmc.Event, string, gmc.Role, error)
}
