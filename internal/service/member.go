package service

import (
	"context"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Members lists a campaign's members; any member may see who plays.
func (s *Service) Members(ctx context.Context, userID, campaignID string) ([]*gmc.Member, error) {
	// The list holds the caller's own membership: it is the access check,
	// in the same statement (read on the primary, as every membership).
	list, err := s.store.Members(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	for _, m := range list {
		if m.UserID == userID {
			return list, checkRole(m.Role, gmc.RoleObserver)
		}
	}
	return nil, accessError(gmc.ErrNotFound)
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
	if err := s.store.SetMemberRole(ctx, m, s.event(campaignID, userID, gmc.ActionUpdate, gmc.EntityMember, memberID, before, m)); err != nil {
		return nil, err
	}
	return m, nil
}

// RemoveMember removes a member. GMs may remove anyone; anyone may leave.
// The characters the member owns in the campaign (their PCs) stay, with
// no player: their owner is cleared in the same transaction, each change
// audited and announced like any other character update.
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
	var released []*gmc.Character
	err = s.store.InTx(ctx, func(tx store.Store) (err error) {
		// The membership goes first: it locks the campaign row, which
		// PostgreSQL's lock order puts before the campaign's other rows.
		if err := tx.RemoveMember(ctx, campaignID, memberID, s.event(campaignID, userID, gmc.ActionDelete, gmc.EntityMember, memberID, m, nil)); err != nil {
			return err
		}
		released, err = s.releaseCharacters(ctx, tx, userID, campaignID, memberID)
		return err
	})
	if err != nil {
		return err
	}
	for _, c := range released {
		s.changed(ctx, characterRef(c, gmc.ActionUpdate))
	}
	return nil
}

// releaseCharacters clears the owner of every character ownerID owns in
// the campaign and returns the characters changed.
func (s *Service) releaseCharacters(ctx context.Context, tx store.Store, actorID, campaignID, ownerID string) ([]*gmc.Character, error) {
	owned, err := allCharacters(ctx, tx, store.CharacterFilter{CampaignID: campaignID, OwnerID: ownerID})
	if err != nil {
		return nil, err
	}
	for _, c := range owned {
		before := *c
		c.OwnerID, c.UpdatedAt = nil, s.clock()
		after := *c
		after.Version++
		if err := tx.UpdateCharacter(ctx, c, s.event(campaignID, actorID, gmc.ActionUpdate, gmc.EntityCharacter, c.ID, before, after)); err != nil {
			return nil, err
		}
	}
	return owned, nil
}

// allCharacters reads every page of a character list.
func allCharacters(ctx context.Context, st store.Store, f store.CharacterFilter) ([]*gmc.Character, error) {
	var out []*gmc.Character
	f.Page = gmc.Page{Limit: gmc.MaxPageSize}
	for {
		page, next, err := st.Characters(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		f.Page.Cursor = next
	}
}

// SetVoiceConsent records whether the caller lets the campaign process
// their voice. Any member answers for themselves, and only for themselves;
// the answer is audited like any change of a membership.
func (s *Service) SetVoiceConsent(ctx context.Context, userID, campaignID string, consent bool) (*gmc.Member, error) {
	m, err := s.access(ctx, campaignID, userID, gmc.RoleObserver)
	if err != nil {
		return nil, err
	}
	before := *m
	at := s.clock()
	m.VoiceConsent, m.VoiceConsentAt = &consent, &at
	if err := s.store.SetVoiceConsent(ctx, m, s.event(campaignID, userID, gmc.ActionUpdate, gmc.EntityMember, userID, before, m)); err != nil {
		return nil, err
	}
	return m, nil
}

// VoiceConsent reports whether userID has consented to have their voice
// processed in the campaign; someone who is not a member has not. It
// checks no caller: the speech pipeline asks it before keeping any audio.
func (s *Service) VoiceConsent(ctx context.Context, campaignID, userID string) (bool, error) {
	m, err := s.store.Member(ctx, campaignID, userID)
	if errors.Is(err, gmc.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return m.Consented(), nil
}

// ConsentingUsers lists the ids of the campaign's members who have
// consented to have their voice processed, in order of joining. It checks
// no caller (see VoiceConsent).
func (s *Service) ConsentingUsers(ctx context.Context, campaignID string) ([]string, error) {
	members, err := s.store.Members(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, m := range members {
		if m.Consented() {
			ids = append(ids, m.UserID)
		}
	}
	return ids, nil
}

// SessionConsent tells the GM of a session which members of its campaign
// have consented to have their voice processed. GM only.
func (s *Service) SessionConsent(ctx context.Context, userID, sessionID string) (*gmc.ConsentReport, error) {
	gs, err := s.gmSession(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	members, err := s.store.Members(ctx, gs.CampaignID)
	if err != nil {
		return nil, err
	}
	return gmc.NewConsentReport(gs.CampaignID, gs.ID, members), nil
}
