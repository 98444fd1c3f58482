package service

import (
	"context"
	"slices"

	"github.com/gmc-project/gmc/internal/gmc"
)

// FeatureStates says which features are on at the instance level, for
// /readyz and the console.
func (s *Service) FeatureStates() map[gmc.Feature]bool {
	out := make(map[gmc.Feature]bool, len(gmc.Features))
	for _, f := range gmc.Features {
		out[f] = s.instanceFeatureOn(f)
	}
	return out
}

func (s *Service) instanceFeatureOn(f gmc.Feature) bool {
	return !slices.Contains(s.disabledFeatures, f)
}

// requireFeature refuses with ErrFeatureDisabled when f is off on the
// instance or, when campaignID is set, in that campaign. The campaign is
// read afresh, so a GM's switch takes effect at the next request.
func (s *Service) requireFeature(ctx context.Context, campaignID string, f gmc.Feature) error {
	if !s.instanceFeatureOn(f) {
		return gmc.FeatureOff(f, "on this server")
	}
	if campaignID == "" {
		return nil
	}
	c, err := s.store.Campaign(ctx, campaignID)
	if err != nil {
		return err
	}
	if !c.Settings.FeatureOn(f) {
		return gmc.FeatureOff(f, "in this campaign")
	}
	return nil
}
