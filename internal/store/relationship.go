package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// RelationshipFilter selects the relationships of one character.
type RelationshipFilter struct {
	// CharacterID matches relationships whose source or target it is.
	CharacterID string
	// HideGMOnly leaves out GM-only relationships and those whose other
	// end is a GM-only character.
	HideGMOnly bool
	Page       gmc.Page
}

// RelationshipStore keeps relationships and their history. Relationships
// are read with their whole history. Every write appends ev to the audit
// log and, for each edge it changes, change to that edge's history, in the
// same transaction. A mutual pair is kept in step (see gmc.Relationship).
type RelationshipStore interface {
	// CreateRelationship inserts r with version 1 and change as its first
	// history entry. When r.Mutual, r.PairID must hold a fresh id: the
	// reverse edge is created with it, or, when it exists already, linked
	// and brought into step, and r.PairID is set to its id. ErrNotFound
	// when an end is missing or in another campaign; ErrConflict (code
	// "duplicate_relationship") when source, target and kind are taken.
	CreateRelationship(ctx context.Context, r *gmc.Relationship, change gmc.RelationshipChange, ev *gmc.Event) error
	// CreateRelationships inserts many relationships, each with its
	// History, in one transaction with one audit event, for imports and
	// seeding. The pairs of mutual ones must be among them, linked both
	// ways. Errors as CreateRelationship; nothing is stored on error.
	CreateRelationships(ctx context.Context, rs []*gmc.Relationship, ev *gmc.Event) error
	// Relationship returns the relationship with id, or ErrNotFound.
	Relationship(ctx context.Context, id string) (*gmc.Relationship, error)
	// Relationships lists relationships in id order and the next cursor.
	Relationships(ctx context.Context, f RelationshipFilter) ([]*gmc.Relationship, string, error)
	// MemberRelationships is Relationships as userID may see them, with
	// userID's role: a GM sees all, anyone else what HideGMOnly leaves
	// (f.HideGMOnly is not used). The character and userID's membership of
	// its campaign are read in the list's statement; only an empty page
	// costs a second one. ErrNotFound when the character does not exist,
	// userID is not in its campaign, or it is GM-only and userID no GM.
	MemberRelationships(ctx context.Context, userID string, f RelationshipFilter) ([]*gmc.Relationship, string, gmc.Role, error)
	// UpdateRelationship writes r's kind, attitude, description and
	// visibility when the stored version equals r.Version, increments
	// r.Version and appends change. Turning Mutual on links or creates the
	// reverse edge as CreateRelationship does; turning it off unlinks the
	// pair and keeps both edges. ErrNotFound, ErrConflict (stale version,
	// or "duplicate_relationship" for a kind that is taken).
	UpdateRelationship(ctx context.Context, r *gmc.Relationship, change gmc.RelationshipChange, ev *gmc.Event) error
	// DeleteRelationship removes the relationship, its pair and their
	// history. ErrNotFound.
	DeleteRelationship(ctx context.Context, id string, ev *gmc.Event) error
}
