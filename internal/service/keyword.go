package service

import (
	"context"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Who may do what with custom keywords:
//   - GMs create, change and delete them and see them all.
//   - Players and observers read those with visibility "players"; a
//     GM-only keyword does not exist for them (404), and its live alerts
//     reach GMs only.

// KeywordParams are a new keyword's fields. An empty Category means
// "custom" and an empty Visibility "gm": a GM's new term stays secret
// until they decide otherwise.
type KeywordParams struct {
	Term       string
	Aliases    []string
	Category   string
	Visibility gmc.Visibility
	Common     bool
	Notes      string
}

// CreateKeyword adds a custom term to a campaign's keyword dictionary. GM only.
func (s *Service) CreateKeyword(ctx context.Context, userID, campaignID string, p KeywordParams) (*gmc.Keyword, error) {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return nil, err
	}
	now := s.clock()
	k := &gmc.Keyword{ID: s.newID(), CampaignID: campaignID, Term: p.Term, Aliases: p.Aliases, Category: p.Category,
		Visibility: p.Visibility, Common: p.Common, Notes: p.Notes, CreatedAt: now, UpdatedAt: now}
	if err := checkKeyword(k); err != nil {
		return nil, err
	}
	k.Version = 1
	if err := s.store.CreateKeyword(ctx, k, s.event(campaignID, userID, gmc.ActionCreate, gmc.EntityKeyword, k.ID, nil, k)); err != nil {
		return nil, err
	}
	s.changed(ctx, keywordRef(k, gmc.ActionCreate))
	return k, nil
}

// checkKeyword fills defaults, normalises and validates k.
func checkKeyword(k *gmc.Keyword) error {
	if k.Visibility == "" {
		k.Visibility = gmc.VisibleGM
	}
	k.Normalize()
	return k.Validate()
}

func keywordRef(k *gmc.Keyword, action string) gmc.EntityRef {
	return gmc.EntityRef{CampaignID: k.CampaignID, Type: gmc.EntityKeyword, ID: k.ID, Action: action, Visibility: k.Visibility}
}

// keyword returns a keyword the caller may see, with the caller's
// membership. One that does not exist, is in a campaign the caller is not
// in, or is GM-only and the caller no GM, is ErrNotFound alike.
func (s *Service) keyword(ctx context.Context, userID, id string) (*gmc.Keyword, *gmc.Member, error) {
	k, err := s.store.Keyword(ctx, id)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityKeyword)
	}
	m, err := s.access(ctx, k.CampaignID, userID, gmc.RoleObserver)
	if err != nil || !k.Visibility.VisibleTo(m.Role) {
		return nil, nil, notFound(gmc.ErrNotFound, gmc.EntityKeyword)
	}
	return k, m, nil
}

// keywordForGM returns a keyword the caller may change: they are its
// campaign's GM and ifMatch (0: none sent) is its version.
func (s *Service) keywordForGM(ctx context.Context, userID, id string, ifMatch int64) (*gmc.Keyword, error) {
	k, m, err := s.keyword(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if m.Role != gmc.RoleGM {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can change keywords")
	}
	return k, checkVersion(ifMatch, k.Version)
}

// Keyword returns a keyword the caller may see.
func (s *Service) Keyword(ctx context.Context, userID, id string) (*gmc.Keyword, error) {
	k, _, err := s.keyword(ctx, userID, id)
	return k, err
}

// KeywordQuery selects a campaign's custom keywords; empty fields match
// all. The caller's role decides which of them are visible.
type KeywordQuery struct {
	CampaignID string
	// Category matches keywords of this category, in any case.
	Category string
	Page     gmc.Page
}

// Keywords lists the keywords of a campaign the caller may see.
func (s *Service) Keywords(ctx context.Context, userID string, q KeywordQuery) ([]*gmc.Keyword, string, error) {
	// The store reads the membership in the list's statement and hides
	// GM-only keywords from anyone but a GM.
	list, next, role, err := s.store.MemberKeywords(ctx, userID, store.KeywordFilter{CampaignID: q.CampaignID,
		Category: strings.ToLower(strings.TrimSpace(q.Category)), Page: q.Page})
	if err != nil {
		return nil, "", accessError(err)
	}
	if err := checkRole(role, gmc.RoleObserver); err != nil {
		return nil, "", err
	}
	return list, next, nil
}

// KeywordUpdate changes some of a keyword's fields; nil means unchanged.
type KeywordUpdate struct {
	Term       *string
	Aliases    *[]string
	Category   *string
	Visibility *gmc.Visibility
	Common     *bool
	Notes      *string
	IfMatch    int64
}

// UpdateKeyword changes a keyword. GM only.
func (s *Service) UpdateKeyword(ctx context.Context, userID, id string, upd KeywordUpdate) (*gmc.Keyword, error) {
	k, err := s.keywordForGM(ctx, userID, id, upd.IfMatch)
	if err != nil {
		return nil, err
	}
	before := *k
	setIf(&k.Term, upd.Term)
	setIf(&k.Aliases, upd.Aliases)
	setIf(&k.Category, upd.Category)
	setIf(&k.Visibility, upd.Visibility)
	setIf(&k.Common, upd.Common)
	setIf(&k.Notes, upd.Notes)
	if err := checkKeyword(k); err != nil {
		return nil, err
	}
	k.UpdatedAt = s.clock()
	after := *k
	after.Version++
	if err := s.store.UpdateKeyword(ctx, k, s.event(k.CampaignID, userID, gmc.ActionUpdate, gmc.EntityKeyword, k.ID, before, after)); err != nil {
		return nil, err
	}
	s.changed(ctx, keywordRef(k, gmc.ActionUpdate))
	return k, nil
}

// DeleteKeyword removes a keyword from the dictionary. GM only.
func (s *Service) DeleteKeyword(ctx context.Context, userID, id string, ifMatch int64) error {
	k, err := s.keywordForGM(ctx, userID, id, ifMatch)
	if err != nil {
		return err
	}
	if err := s.store.DeleteKeyword(ctx, k, s.event(k.CampaignID, userID, gmc.ActionDelete, gmc.EntityKeyword, k.ID, k, nil)); err != nil {
		return err
	}
	s.changed(ctx, keywordRef(k, gmc.ActionDelete))
	return nil
}
