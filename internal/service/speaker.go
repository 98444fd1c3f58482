package service

import (
	"context"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
)

// checkCampaignCharacter fails unless id is a character of the campaign.
func (s *Service) checkCampaignCharacter(ctx context.Context, campaignID, id string) error {
	finder, ok := s.store.(interface {
		Character(ctx context.Context, id string) (*gmc.Character, error)
	})
	if !ok {
		return errors.New("store keeps no characters")
	}
	c, err := finder.Character(ctx, id)
	if err != nil {
		return err
	}
	if c.CampaignID != campaignID {
		return gmc.ErrNotFound
	}
	return nil
}
