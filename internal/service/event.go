package service

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// EventQuery selects events of a campaign's audit log; empty fields match
// all.
type EventQuery struct {
	CampaignID string
	EntityType string
	EntityID   string
	ActorID    string
	Page       gmc.Page
}

// Events reads a campaign's audit log. GM only.
func (s *Service) Events(ctx context.Context, userID string, q EventQuery) ([]*gmc.Event, string, error) {
	// The store reads the membership in the list's statement, which
	// returns rows to GMs only.
	list, next, role, err := s.store.MemberEvents(ctx, userID, store.EventFilter{CampaignID: q.CampaignID, EntityType: q.EntityType,
		EntityID: q.EntityID, ActorID: q.ActorID, Page: q.Page})
	if err != nil {
		return nil, "", accessError(err)
	}
	if err := checkRole(role, gmc.RoleGM); err != nil {
		return nil, "", err
	}
	return list, next, nil
}
