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
	if _, err := s.access(ctx, q.CampaignID, userID, gmc.RoleGM); err != nil {
		return nil, "", err
	}
	return s.store.Events(ctx, store.EventFilter{CampaignID: q.CampaignID, EntityType: q.EntityType, EntityID: q.EntityID, ActorID: q.ActorID, Page: q.Page})
}
