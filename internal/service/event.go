package service

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Events reads a campaign's audit log. GM only.
func (s *Service) Events(ctx context.Context, userID string, f store.EventFilter) ([]*gmc.Event, string, error) {
	if _, err := s.access(ctx, f.CampaignID, userID, gmc.RoleGM); err != nil {
		return nil, "", err
	}
	return s.store.Events(ctx, f)
}
