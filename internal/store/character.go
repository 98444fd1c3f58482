package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// CharacterFilter selects a campaign's characters. Zero fields match all.
type CharacterFilter struct {
	CampaignID string
	Type       gmc.CharacterType
	// Tag matches characters with this (normalised) tag.
	Tag     string
	OwnerID string
	// Query matches characters whose SearchKey contains it; pass it
	// through gmc.SearchQuery.
	Query string
	// HideGMOnly leaves out characters with visibility gm.
	HideGMOnly bool
	Page       gmc.Page
}

// CharacterStore keeps characters. Every write appends ev to the audit log
// in the same transaction.
type CharacterStore interface {
	// CreateCharacter inserts c with version 1. ErrNotFound when its
	// campaign or owner does not exist.
	CreateCharacter(ctx context.Context, c *gmc.Character, ev *gmc.Event) error
	// CreateCharacters inserts many characters of one campaign in one
	// transaction with one audit event, for imports and seeding.
	// ErrNotFound, ErrConflict (an id is taken); nothing is stored on error.
	CreateCharacters(ctx context.Context, cs []*gmc.Character, ev *gmc.Event) error
	// Character returns the character with id, or ErrNotFound.
	Character(ctx context.Context, id string) (*gmc.Character, error)
	// Characters lists characters in id (creation) order and the next
	// page's cursor.
	Characters(ctx context.Context, f CharacterFilter) ([]*gmc.Character, string, error)
	// MemberCharacters is Characters as userID may see them, with userID's
	// role: a GM sees every character, anyone else only those with
	// visibility players (f.HideGMOnly is not used). The membership is read
	// in the list's own statement; only an empty page costs a second one.
	// ErrNotFound when userID is not a member of f.CampaignID.
	MemberCharacters(ctx context.Context, userID string, f CharacterFilter) ([]*gmc.Character, string, gmc.Role, error)
	// UpdateCharacter writes c's editable fields when the stored version
	// equals c.Version, then increments c.Version. ErrNotFound, ErrConflict
	// (stale version).
	UpdateCharacter(ctx context.Context, c *gmc.Character, ev *gmc.Event) error
	// DeleteCharacter removes the character with its relationships (in both
	// directions, so both edges of its mutual pairs), their history and its
	// achievements. ErrNotFound.
	DeleteCharacter(ctx context.Context, id string, ev *gmc.Event) error
}
