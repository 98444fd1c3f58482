package service

import (
	"context"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// AchievementParams describe an award. A zero AwardedAt means now.
type AchievementParams struct {
	Title       string
	Description string
	SessionID   *string
	AwardedAt   time.Time
}

// AwardAchievement gives a character an achievement. GM only.
func (s *Service) AwardAchievement(ctx context.Context, userID, characterID string, p AchievementParams) (*gmc.Achievement, error) {
	c, m, err := s.character(ctx, userID, characterID)
	if err != nil {
		return nil, err
	}
	if m.Role != gmc.RoleGM {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can award achievements")
	}
	now := s.clock()
	a := &gmc.Achievement{ID: s.newID(), CampaignID: c.CampaignID, CharacterID: c.ID, Title: strings.TrimSpace(p.Title), Description: p.Description,
		SessionID: p.SessionID, AwardedAt: p.AwardedAt.UTC().Truncate(time.Microsecond), AwardedBy: userID, CreatedAt: now}
	if p.AwardedAt.IsZero() {
		a.AwardedAt = now
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkSession(ctx, c.CampaignID, a.SessionID); err != nil {
		return nil, err
	}
	if err := s.store.CreateAchievement(ctx, a, s.event(c.CampaignID, userID, gmc.ActionCreate, gmc.EntityAchievement, a.ID, nil, a)); err != nil {
		return nil, err
	}
	s.changed(ctx, gmc.EntityRef{CampaignID: c.CampaignID, Type: gmc.EntityAchievement, ID: a.ID, Action: gmc.ActionCreate, Visibility: c.Visibility})
	return a, nil
}

// checkSession makes sure an optional session id names a session of the
// campaign; another campaign's session is not found, like a missing one.
func (s *Service) checkSession(ctx context.Context, campaignID string, sessionID *string) error {
	if sessionID == nil {
		return nil
	}
	gs, err := s.store.Session(ctx, *sessionID)
	if err == nil && gs.CampaignID != campaignID {
		err = gmc.ErrNotFound
	}
	return notFound(err, gmc.EntitySession)
}

// Achievements lists the achievements of a character the caller may see.
func (s *Service) Achievements(ctx context.Context, userID, characterID string, page gmc.Page) ([]*gmc.Achievement, string, error) {
	// The store reads the character and the membership in the list's
	// statement: a character the caller may not see is not found, as by
	// s.character.
	list, next, role, err := s.store.MemberAchievements(ctx, userID, characterID, page)
	if err != nil {
		return nil, "", notFound(err, gmc.EntityCharacter)
	}
	if err := checkRole(role, gmc.RoleObserver); err != nil {
		return nil, "", err
	}
	return list, next, nil
}
