package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Relationships are the GM's to write; every member reads those they can
// see. A relationship is visible to players when its own visibility is
// "players" and both its characters are visible to them; otherwise it does
// not exist for them (404), in lists, graphs and paths alike.

// RelationshipParams describe a new relationship from a character. An
// empty Visibility means "gm". SessionID and Note go into the first
// history entry.
type RelationshipParams struct {
	TargetID    string
	Kind        string
	Attitude    int
	Description string
	Visibility  gmc.Visibility
	Mutual      bool
	SessionID   *string
	Note        string
}

// CreateRelationship adds a relationship from sourceID (and, when mutual,
// back to it). GM only; the target must be in the same campaign.
func (s *Service) CreateRelationship(ctx context.Context, userID, sourceID string, p RelationshipParams) (*gmc.Relationship, error) {
	src, m, err := s.character(ctx, userID, sourceID)
	if err != nil {
		return nil, err
	}
	if m.Role != gmc.RoleGM {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can change relationships")
	}
	now := s.clock()
	r := &gmc.Relationship{ID: s.newID(), CampaignID: src.CampaignID, SourceID: src.ID, TargetID: p.TargetID, Kind: strings.TrimSpace(p.Kind),
		Attitude: p.Attitude, Description: p.Description, Visibility: p.Visibility, Mutual: p.Mutual, CreatedAt: now, UpdatedAt: now}
	if r.Visibility == "" {
		r.Visibility = gmc.VisibleGM
	}
	if err := s.checkRelationship(ctx, r, p.SessionID, p.Note); err != nil {
		return nil, err
	}
	if r.Mutual {
		pair := s.newID()
		r.PairID = &pair
	}
	change := gmc.RelationshipChange{At: now, SessionID: p.SessionID, AttitudeAfter: r.Attitude, Note: noteOr(p.Note, "created"), ActorID: userID}
	if err := s.store.CreateRelationship(ctx, r, change, s.event(r.CampaignID, userID, gmc.ActionCreate, gmc.EntityRelationship, r.ID, nil, r)); err != nil {
		return nil, err
	}
	s.relationshipChanged(ctx, r, gmc.ActionCreate, r.PairID)
	return r, nil
}

// checkRelationship validates r's fields and references.
func (s *Service) checkRelationship(ctx context.Context, r *gmc.Relationship, sessionID *string, note string) error {
	var v gmc.Validator
	gmc.ValidateNote(&v, "body.note", note)
	if err := r.Validate(); err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	target, err := s.store.Character(ctx, r.TargetID)
	if err != nil || target.CampaignID != r.CampaignID {
		return gmc.Errorf(gmc.ErrNotFound, "character_not_found", "target character not found in this campaign")
	}
	return s.checkSession(ctx, r.CampaignID, sessionID)
}

func noteOr(note, fallback string) string {
	if strings.TrimSpace(note) == "" {
		return fallback
	}
	return note
}

// relationship returns a relationship the caller may see, with the
// caller's membership.
func (s *Service) relationship(ctx context.Context, userID, id string) (*gmc.Relationship, *gmc.Member, error) {
	r, err := s.store.Relationship(ctx, id)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityRelationship)
	}
	m, err := s.access(ctx, r.CampaignID, userID, gmc.RoleObserver)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityRelationship)
	}
	if m.Role != gmc.RoleGM {
		vis, err := s.relationshipVisibility(ctx, r)
		if err != nil {
			return nil, nil, err
		}
		if vis != gmc.VisiblePlayers {
			return nil, nil, notFound(gmc.ErrNotFound, gmc.EntityRelationship)
		}
	}
	return r, m, nil
}

// relationshipVisibility is who may see r: "gm" when it or either of its
// characters is GM-only.
func (s *Service) relationshipVisibility(ctx context.Context, r *gmc.Relationship) (gmc.Visibility, error) {
	if r.Visibility == gmc.VisibleGM {
		return gmc.VisibleGM, nil
	}
	for _, id := range []string{r.SourceID, r.TargetID} {
		c, err := s.store.Character(ctx, id)
		if err != nil {
			return "", err
		}
		if c.Visibility == gmc.VisibleGM {
			return gmc.VisibleGM, nil
		}
	}
	return gmc.VisiblePlayers, nil
}

// Relationship returns a relationship the caller may see, with history.
func (s *Service) Relationship(ctx context.Context, userID, id string) (*gmc.Relationship, error) {
	r, _, err := s.relationship(ctx, userID, id)
	return r, err
}

// Relationships lists the relationships of a character, from it and to
// it, that the caller may see.
func (s *Service) Relationships(ctx context.Context, userID, characterID string, page gmc.Page) ([]*gmc.Relationship, string, error) {
	// The store reads the character and the membership in the list's
	// statement: a character the caller may not see is not found, as by
	// s.character.
	list, next, role, err := s.store.MemberRelationships(ctx, userID, store.RelationshipFilter{CharacterID: characterID, Page: page})
	if err != nil {
		return nil, "", notFound(err, gmc.EntityCharacter)
	}
	if err := checkRole(role, gmc.RoleObserver); err != nil {
		return nil, "", err
	}
	return list, next, nil
}

// RelationshipUpdate changes some of a relationship's fields; nil means
// unchanged. SessionID and Note go into the history entry the change
// appends; without a Note the entry describes the change.
type RelationshipUpdate struct {
	Kind        *string
	Attitude    *int
	Description *string
	Visibility  *gmc.Visibility
	Mutual      *bool
	SessionID   *string
	Note        string
	IfMatch     int64
}

// UpdateRelationship changes a relationship and, when mutual, its pair.
// GM only.
func (s *Service) UpdateRelationship(ctx context.Context, userID, id string, upd RelationshipUpdate) (*gmc.Relationship, error) {
	r, m, err := s.relationship(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if m.Role != gmc.RoleGM {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can change relationships")
	}
	if err := checkVersion(upd.IfMatch, r.Version); err != nil {
		return nil, err
	}
	before := *r
	if upd.Kind != nil {
		r.Kind = strings.TrimSpace(*upd.Kind)
	}
	setIf(&r.Attitude, upd.Attitude)
	setIf(&r.Description, upd.Description)
	setIf(&r.Visibility, upd.Visibility)
	setIf(&r.Mutual, upd.Mutual)
	if err := s.checkRelationship(ctx, r, upd.SessionID, upd.Note); err != nil {
		return nil, err
	}
	if r.Mutual && r.PairID == nil {
		pair := s.newID()
		r.PairID = &pair
	}
	r.UpdatedAt = s.clock()
	change := gmc.RelationshipChange{At: r.UpdatedAt, SessionID: upd.SessionID, AttitudeBefore: &before.Attitude, AttitudeAfter: r.Attitude,
		Note: noteOr(upd.Note, describeChange(&before, r)), ActorID: userID}
	after := *r
	after.Version++
	after.History = nil
	before.History = nil
	if err := s.store.UpdateRelationship(ctx, r, change, s.event(r.CampaignID, userID, gmc.ActionUpdate, gmc.EntityRelationship, r.ID, before, after)); err != nil {
		return nil, err
	}
	r.History = append(r.History, change)
	s.relationshipChanged(ctx, r, gmc.ActionUpdate, before.PairID, r.PairID)
	return r, nil
}

// describeChange says what an update changed, for a history entry the
// GM wrote no note for.
func describeChange(before, after *gmc.Relationship) string {
	var parts []string
	if before.Kind != after.Kind {
		parts = append(parts, fmt.Sprintf("kind %s → %s", before.Kind, after.Kind))
	}
	if before.Attitude != after.Attitude {
		parts = append(parts, fmt.Sprintf("attitude %d → %d", before.Attitude, after.Attitude))
	}
	if before.Description != after.Description {
		parts = append(parts, "description changed")
	}
	if before.Visibility != after.Visibility {
		parts = append(parts, fmt.Sprintf("visibility %s → %s", before.Visibility, after.Visibility))
	}
	if before.Mutual != after.Mutual {
		parts = append(parts, map[bool]string{true: "now mutual", false: "no longer mutual"}[after.Mutual])
	}
	if len(parts) == 0 {
		return "updated"
	}
	return strings.Join(parts, "; ")
}

// DeleteRelationship removes a relationship and, when mutual, its pair.
// GM only.
func (s *Service) DeleteRelationship(ctx context.Context, userID, id string) error {
	r, m, err := s.relationship(ctx, userID, id)
	if err != nil {
		return err
	}
	if m.Role != gmc.RoleGM {
		return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can change relationships")
	}
	r.History = nil
	if err := s.store.DeleteRelationship(ctx, r.ID, s.event(r.CampaignID, userID, gmc.ActionDelete, gmc.EntityRelationship, r.ID, r, nil)); err != nil {
		return err
	}
	s.relationshipChanged(ctx, r, gmc.ActionDelete, r.PairID)
	return nil
}

// relationshipChanged reports r and each of its (old or new) pairs. The
// visibility is worked out again because a character's may have changed.
func (s *Service) relationshipChanged(ctx context.Context, r *gmc.Relationship, action string, pairs ...*string) {
	vis, err := s.relationshipVisibility(ctx, r)
	if err != nil {
		vis = gmc.VisibleGM // when in doubt, tell only the GMs
	}
	ref := gmc.EntityRef{CampaignID: r.CampaignID, Type: gmc.EntityRelationship, ID: r.ID, Action: action, Visibility: vis}
	s.changed(ctx, ref)
	seen := map[string]bool{r.ID: true}
	for _, p := range pairs {
		if p != nil && !seen[*p] {
			seen[*p] = true
			ref.ID = *p
			s.changed(ctx, ref)
		}
	}
}
