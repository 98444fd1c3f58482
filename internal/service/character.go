package service

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Who may do what with characters:
//   - GMs see and change every character, gm_notes included.
//   - Players and observers see the characters with visibility "players",
//     without gm_notes; a GM-only character does not exist for them (404).
//   - A player may create a PC they own (owner_id is themselves, or left
//     out) that players can see; only GMs create NPCs, hide characters,
//     give a PC to someone else or write gm_notes.
//   - A player may change the PCs they own, except their type, owner,
//     visibility and gm_notes; only GMs delete characters.
//   - Observers only read.

// CharacterParams are a new character's fields. An empty Visibility means
// "players" for a PC and "gm" for an NPC, so a GM's new NPC stays secret
// until they decide otherwise.
type CharacterParams struct {
	Name           string
	CharacterType  gmc.CharacterType
	Stats          json.RawMessage
	Notes          json.RawMessage
	GMNotes        json.RawMessage
	VoiceNotes     string
	Aliases        []string
	Tags           []string
	Visibility     gmc.Visibility
	OwnerID        *string
	PortraitFileID *string
}

// CreateCharacter adds a character to a campaign (see the rules above).
func (s *Service) CreateCharacter(ctx context.Context, userID, campaignID string, p CharacterParams) (*gmc.Character, error) {
	m, err := s.access(ctx, campaignID, userID, gmc.RolePlayer)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	c := &gmc.Character{ID: s.newID(), CampaignID: campaignID, Name: p.Name, CharacterType: p.CharacterType, Stats: p.Stats, Notes: p.Notes,
		GMNotes: p.GMNotes, VoiceNotes: p.VoiceNotes, Aliases: p.Aliases, Tags: p.Tags, Visibility: p.Visibility, OwnerID: p.OwnerID,
		PortraitFileID: p.PortraitFileID, CreatedAt: now, UpdatedAt: now}
	defaultVisibility(c)
	if m.Role != gmc.RoleGM && c.OwnerID == nil && c.CharacterType == gmc.CharacterPC {
		c.OwnerID = &userID // a player's PC is their own
	}
	if err := s.checkCharacter(ctx, c, nil); err != nil {
		return nil, err
	}
	if m.Role != gmc.RoleGM {
		if err := playerMayCreate(c, userID, p.GMNotes != nil); err != nil {
			return nil, err
		}
	}
	c.Version = 1
	if err := s.store.CreateCharacter(ctx, c, s.event(campaignID, userID, gmc.ActionCreate, gmc.EntityCharacter, c.ID, nil, c)); err != nil {
		return nil, err
	}
	s.changed(ctx, characterRef(c, gmc.ActionCreate))
	return c.ForRole(m.Role), nil
}

// defaultVisibility fills in an empty visibility: players for a PC, gm for
// an NPC.
func defaultVisibility(c *gmc.Character) {
	if c.Visibility == "" {
		c.Visibility = gmc.VisibleGM
		if c.CharacterType == gmc.CharacterPC {
			c.Visibility = gmc.VisiblePlayers
		}
	}
}

func playerMayCreate(c *gmc.Character, userID string, gmNotes bool) error {
	switch {
	case c.CharacterType != gmc.CharacterPC:
		return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can create NPCs; players create their own PCs")
	case *c.OwnerID != userID:
		return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "a player can create only PCs they own")
	case c.Visibility != gmc.VisiblePlayers:
		return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can hide a character from the players")
	case gmNotes:
		return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can write gm_notes")
	}
	return nil
}

// checkCharacter normalises and validates c, and checks that a new owner
// (one other than prevOwner) plays in its campaign. An owner who has left
// since is let be, so the PC can still be edited.
func (s *Service) checkCharacter(ctx context.Context, c *gmc.Character, prevOwner *string) error {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	if c.OwnerID == nil || samePtr(c.OwnerID, prevOwner) {
		return nil
	}
	owner, err := s.store.Member(ctx, c.CampaignID, *c.OwnerID)
	if errors.Is(err, gmc.ErrNotFound) || (err == nil && !owner.Role.AtLeast(gmc.RolePlayer)) {
		return gmc.Invalid("body.owner_id", "must be a player or GM of this campaign")
	}
	return err
}

func characterRef(c *gmc.Character, action string) gmc.EntityRef {
	return gmc.EntityRef{CampaignID: c.CampaignID, Type: gmc.EntityCharacter, ID: c.ID, Action: action, Visibility: c.Visibility}
}

// character returns a character the caller may see, whole (gm_notes
// included), with the caller's membership. A character that does not
// exist, is in a campaign the caller is not in, or is GM-only and the
// caller no GM, is ErrNotFound alike, so nothing leaks.
func (s *Service) character(ctx context.Context, userID, id string) (*gmc.Character, *gmc.Member, error) {
	c, err := s.store.Character(ctx, id)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityCharacter)
	}
	m, err := s.access(ctx, c.CampaignID, userID, gmc.RoleObserver)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityCharacter)
	}
	if !c.Visibility.VisibleTo(m.Role) {
		return nil, nil, notFound(gmc.ErrNotFound, gmc.EntityCharacter)
	}
	return c, m, nil
}

// Character returns a character as the caller may see it.
func (s *Service) Character(ctx context.Context, userID, id string) (*gmc.Character, error) {
	c, m, err := s.character(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	return c.ForRole(m.Role), nil
}

// CharacterQuery selects a campaign's characters; empty fields match all.
// It says nothing about visibility: the caller's role decides that.
type CharacterQuery struct {
	CampaignID string
	Type       gmc.CharacterType
	// Tag matches characters with this tag, in any case.
	Tag     string
	OwnerID string
	// Q matches part of a name or alias, in any case.
	Q    string
	Page gmc.Page
}

// Characters lists the characters of a campaign the caller may see.
func (s *Service) Characters(ctx context.Context, userID string, q CharacterQuery) ([]*gmc.Character, string, error) {
	if q.Type != "" && !q.Type.Valid() {
		return nil, "", gmc.Invalid("query.character_type", "must be one of pc, npc")
	}
	// The store reads the membership in the list's statement and hides
	// GM-only characters from anyone but a GM.
	list, next, role, err := s.store.MemberCharacters(ctx, userID, store.CharacterFilter{CampaignID: q.CampaignID, Type: q.Type, Tag: gmc.NormalizeTag(q.Tag),
		OwnerID: q.OwnerID, Query: gmc.SearchQuery(q.Q), Page: q.Page})
	if err != nil {
		return nil, "", accessError(err)
	}
	if err := checkRole(role, gmc.RoleObserver); err != nil {
		return nil, "", err
	}
	for i, c := range list {
		list[i] = c.ForRole(role)
	}
	return list, next, nil
}

// CharacterUpdate changes some of a character's fields; nil means
// unchanged. OwnerID and PortraitFileID point to "" to clear them, and
// Visibility to "" for the default of the character's type.
type CharacterUpdate struct {
	Name           *string
	CharacterType  *gmc.CharacterType
	Stats          *json.RawMessage
	Notes          *json.RawMessage
	GMNotes        *json.RawMessage
	VoiceNotes     *string
	Aliases        *[]string
	Tags           *[]string
	Visibility     *gmc.Visibility
	OwnerID        *string
	PortraitFileID *string
	IfMatch        int64
}

// UpdateCharacter changes a character: GMs any, players the PCs they own.
func (s *Service) UpdateCharacter(ctx context.Context, userID, id string, upd CharacterUpdate) (*gmc.Character, error) {
	c, m, err := s.character(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if !mayEdit(c, m) {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM or the player who owns this PC can change it")
	}
	if err := checkVersion(upd.IfMatch, c.Version); err != nil {
		return nil, err
	}
	before := *c
	applyCharacterUpdate(c, upd)
	if err := s.checkCharacter(ctx, c, before.OwnerID); err != nil {
		return nil, err
	}
	if m.Role != gmc.RoleGM && (c.CharacterType != before.CharacterType || !samePtr(c.OwnerID, before.OwnerID) ||
		c.Visibility != before.Visibility || upd.GMNotes != nil) {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can change a character's type, owner, visibility or gm_notes")
	}
	c.UpdatedAt = s.clock()
	after := *c
	after.Version++
	if err := s.store.UpdateCharacter(ctx, c, s.event(c.CampaignID, userID, gmc.ActionUpdate, gmc.EntityCharacter, c.ID, before, after)); err != nil {
		return nil, err
	}
	s.changed(ctx, characterRef(c, gmc.ActionUpdate))
	return c.ForRole(m.Role), nil
}

func mayEdit(c *gmc.Character, m *gmc.Member) bool {
	return m.Role == gmc.RoleGM ||
		(m.Role == gmc.RolePlayer && c.CharacterType == gmc.CharacterPC && c.OwnerID != nil && *c.OwnerID == m.UserID)
}

func applyCharacterUpdate(c *gmc.Character, upd CharacterUpdate) {
	setIf(&c.Name, upd.Name)
	setIf(&c.CharacterType, upd.CharacterType)
	setIf(&c.Stats, upd.Stats)
	setIf(&c.Notes, upd.Notes)
	setIf(&c.GMNotes, upd.GMNotes)
	setIf(&c.VoiceNotes, upd.VoiceNotes)
	setIf(&c.Aliases, upd.Aliases)
	setIf(&c.Tags, upd.Tags)
	setIf(&c.Visibility, upd.Visibility)
	defaultVisibility(c)
	setOptional(&c.OwnerID, upd.OwnerID)
	setOptional(&c.PortraitFileID, upd.PortraitFileID)
}

// setOptional sets *dst from v: nil leaves it, "" clears it.
func setOptional(dst **string, v *string) {
	switch {
	case v == nil:
	case *v == "":
		*dst = nil
	default:
		s := *v
		*dst = &s
	}
}

func samePtr(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// DeleteCharacter removes a character with its relationships and
// achievements. GM only.
func (s *Service) DeleteCharacter(ctx context.Context, userID, id string) error {
	c, m, err := s.character(ctx, userID, id)
	if err != nil {
		return err
	}
	if m.Role != gmc.RoleGM {
		return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can delete characters")
	}
	if err := s.store.DeleteCharacter(ctx, c.ID, s.event(c.CampaignID, userID, gmc.ActionDelete, gmc.EntityCharacter, c.ID, c, nil)); err != nil {
		return err
	}
	s.changed(ctx, characterRef(c, gmc.ActionDelete))
	return nil
}

// VoiceNotes is how a character is voiced at the table.
type VoiceNotes struct {
	CharacterID string `json:"character_id"`
	VoiceNotes  string `json:"voice_notes"`
	Version     int64  `json:"version"`
}

// CharacterVoiceNotes returns a visible character's voice notes.
func (s *Service) CharacterVoiceNotes(ctx context.Context, userID, id string) (*VoiceNotes, error) {
	c, _, err := s.character(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	return &VoiceNotes{CharacterID: c.ID, VoiceNotes: c.VoiceNotes, Version: c.Version}, nil
}

// SetCharacterVoiceNotes replaces a character's voice notes; who may is
// as for UpdateCharacter.
func (s *Service) SetCharacterVoiceNotes(ctx context.Context, userID, id, notes string, ifMatch int64) (*VoiceNotes, error) {
	c, err := s.UpdateCharacter(ctx, userID, id, CharacterUpdate{VoiceNotes: &notes, IfMatch: ifMatch})
	if err != nil {
		return nil, err
	}
	return &VoiceNotes{CharacterID: c.ID, VoiceNotes: c.VoiceNotes, Version: c.Version}, nil
}
