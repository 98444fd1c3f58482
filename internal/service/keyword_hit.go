package service

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// KeywordHits pages through the keyword hits of a session. Any member may
// read them; GM-only hits are for GMs only.
func (s *Service) KeywordHits(ctx context.Context, userID string, f store.KeywordHitFilter) ([]*gmc.KeywordHit, string, error) {
	if f.Kind != "" && f.Kind != gmc.HitTerm && f.Kind != gmc.HitRule {
		return nil, "", gmc.Invalid("query.kind", "must be one of term, rule")
	}
	_, role, err := s.Session(ctx, userID, f.SessionID)
	if err != nil {
		return nil, "", err
	}
	f.HideGMOnly = role != gmc.RoleGM
	return s.store.KeywordHits(ctx, f)
}
