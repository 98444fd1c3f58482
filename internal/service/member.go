package service

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Members lists a campaign's members; any member may see who plays.
func (s *Service) Members(ctx context.Context, userID, campaignID string) ([]*gmc.Member, error) {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleObserver); err != nil {
		return nil, err
	}
	return s.store.Members(ctx, campaignID)
}

// SetMemberRole changes a member's role. GM only; the last GM cannot be demoted.
func (s *Service) SetMemberRole(ctx context.Context, userID, campaignID, memberID string, role gmc.Role) (*gmc.Member, error) {
	if !role.Valid() {
		return nil, gmc.Invalid("body.role", "must be one of gm, player, observer")
	}
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return nil, err
	}
	m, err := s.store.Member(ctx, campaignID, memberID)
	if err != nil {
		return nil, gmc.Errorf(gmc.ErrNotFound, "member_not_found", "no such member in this campaign")
	}
	before := *m
	m.Role = role
	if err := s.store.SetMemberRole(ctx, m, s.event(campaignID, userID, gmc.ActionUpdate, "member", memberID, before, m)); err != nil {
		return nil, err
	}
	return m, nil
}

// RemoveMember removes a member. GMs may remove anyone; anyone may leave.
func (s *Service) RemoveMember(ctx context.Context, userID, campaignID, memberID string) error {
	min := gmc.RoleGM
	if memberID == userID {
		min = gmc.RoleObserver
	}
	if _, err := s.access(ctx, campaignID, userID, min); err != nil {
		return err
	}
	m, err := s.store.Member(ctx, campaignID, memberID)
	if err != nil {
		return gmc.Errorf(gmc.ErrNotFound, "member_not_found", "no such member in this campaign")
	}
	return s.store.RemoveMember(ctx, campaignID, memberID, s.event(campaignID, userID, gmc.ActionDelete, "member", memberID, m, nil))
}
