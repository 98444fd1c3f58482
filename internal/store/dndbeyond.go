package store

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// DndBeyondLinkFilter selects links for the periodic sync.
type DndBeyondLinkFilter struct {
	// SyncedBefore matches links last synced before it; zero matches all.
	SyncedBefore time.Time
	// AfterCharacterID continues a listing after this character id.
	AfterCharacterID string
	// Limit bounds the list; 0 is 100.
	Limit int
}

// DndBeyondStore keeps the links between characters and D&D Beyond. The
// characters themselves are written with CharacterStore, in the same
// InTx as their link.
type DndBeyondStore interface {
	// PutDndBeyondLink inserts or replaces the link of l.CharacterID.
	// ErrNotFound when the character is not in l.CampaignID; ErrConflict
	// when another character of the campaign has l.DndBeyondID.
	PutDndBeyondLink(ctx context.Context, l *gmc.DndBeyondLink) error
	// DndBeyondLink returns the link of a D&D Beyond character in a
	// campaign, document included, or ErrNotFound.
	DndBeyondLink(ctx context.Context, campaignID string, dndbeyondID int64) (*gmc.DndBeyondLink, error)
	// DndBeyondLinks lists links in character id order, without their
	// documents.
	DndBeyondLinks(ctx context.Context, f DndBeyondLinkFilter) ([]*gmc.DndBeyondLink, error)
}
