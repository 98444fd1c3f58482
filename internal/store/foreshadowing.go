package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// ForeshadowingStore keeps the foreshadowing of plot threads. Every write
// appends ev to the audit log in the same transaction.
type ForeshadowingStore interface {
	// CreateForeshadowing inserts f and sets f.Version. ErrNotFound when
	// its thread is not in f.CampaignID.
	CreateForeshadowing(ctx context.Context, f *gmc.Foreshadowing, ev *gmc.Event) error
	// Foreshadowing returns the item with id, or ErrNotFound.
	Foreshadowing(ctx context.Context, id string) (*gmc.Foreshadowing, error)
	// Foreshadowings lists a thread's items in creation order; forPlayers
	// lists only the revealed ones.
	Foreshadowings(ctx context.Context, plotID string, forPlayers bool) ([]*gmc.Foreshadowing, error)
	// UpdateForeshadowing writes f's description and reveal when the
	// stored version equals f.Version, then increments f.Version.
	// ErrNotFound; ErrConflict on a stale version.
	UpdateForeshadowing(ctx context.Context, f *gmc.Foreshadowing, ev *gmc.Event) error
	// DeleteForeshadowing removes the item f.ID when the stored version
	// equals f.Version. ErrNotFound; ErrConflict on a stale version.
	DeleteForeshadowing(ctx context.Context, f *gmc.Foreshadowing, ev *gmc.Event) error
}
