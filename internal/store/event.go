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
}
