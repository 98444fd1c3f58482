package service

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// KeywordHitQuery selects the keyword hits of one session. The caller's
// role decides which of them are visible.
type KeywordHitQuery struct {
	SessionID string
	// Kind is gmc.HitTerm or gmc.HitRule; "" matches both.
	Kind string
	Page gmc.Page
}

// KeywordHits pages through the keyword hits of a session. Any member may
// read them; GM-only hits are for GMs only.
func (s *Service) KeywordHits(ctx context.Context, userID string, q KeywordHitQuery) ([]*gmc.KeywordHit, string, error) {
	if q.Kind != "" && q.Kind != gmc.HitTerm && q.Kind != gmc.HitRule {
		return nil, "", gmc.Invalid("query.kind", "must be one of term, rule")
	}
	_, role, err := s.Session(ctx, userID, q.SessionID)
	if err != nil {
		return nil, "", err
	}
	return s.store.KeywordHits(ctx, store.KeywordHitFilter{SessionID: q.SessionID, Kind: q.Kind, HideGMOnly: role != gmc.RoleGM, Page: q.Page})
}
