package service

import (
	"context"
	"slices"
	"sync/atomic"

	"github.com/gmc-project/gmc/internal/gmc"
)

// featureSwitch holds the features switched off on the instance; requests
// read it while the operator's file changes it.
type featureSwitch struct{ off atomic.Pointer[[]gmc.Feature] }

func newFeatureSwitch(off []gmc.Feature) *featureSwitch {
	fs := &featureSwitch{}
	fs.set(off)
	return fs
}

func (fs *featureSwitch) set(off []gmc.Feature) {
	off = slices.Clone(off)
	fs.off.Store(&off)
}

func (fs *featureSwitch) on(f gmc.Feature) bool { return !slices.Contains(*fs.off.Load(), f) }

// SetFeaturesOff switches the instance's features: those in off are off,
// every other one on, from the next request on.
func (s *Service) SetFeaturesOff(off []gmc.Feature) { s.featuresOff.set(off) }

// FeatureStates says which features are on at the instance level, for
// /readyz and the console.
func (s *Service) FeatureStates() map[gmc.Feature]bool {
	out := make(map[gmc.Feature]bool, len(gmc.Features))
	for _, f := range gmc.Features {
		out[f] = s.instanceFeatureOn(f)
	}
	return out
}

func (s *Service) instanceFeatureOn(f gmc.Feature) bool { return s.featuresOff.on(f) }

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
