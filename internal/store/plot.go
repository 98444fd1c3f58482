package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// PlotFilter selects plot threads of one campaign.
type PlotFilter struct {
	CampaignID string
	Status     gmc.PlotStatus
	// CharacterID and LocationID select the threads linked to them.
	CharacterID string
	LocationID  string
	// ForPlayers lists only threads with visibility "players" and leaves out
	// their links to hidden characters and locations and their hidden
	// blockers.
	ForPlayers bool
	Page       gmc.Page
}

// PlotStore keeps plot threads with their milestones and their links to
// characters and locations. Every write appends ev to the audit log in the
// same transaction.
type PlotStore interface {
	// CreatePlot inserts p with its milestones and links and sets
	// p.Version. ErrNotFound when a linked character or location does not
	// exist.
	CreatePlot(ctx context.Context, p *gmc.PlotThread, ev *gmc.Event) error
	// Plot returns the thread with id with its links and BlockedBy.
	// forPlayers leaves out links to hidden characters and locations
	// (a location is hidden when it or an ancestor is GM-only) and hidden
	// blockers; it does not check the thread's own visibility. ErrNotFound.
	Plot(ctx context.Context, id string, forPlayers bool) (*gmc.PlotThread, error)
	// Plots lists threads in creation order, each as Plot returns it, and
	// the next page's cursor.
	Plots(ctx context.Context, f PlotFilter) ([]*gmc.PlotThread, string, error)
	// MemberPlots is Plots as userID may see them, with userID's role: a
	// GM sees everything, anyone else what ForPlayers leaves (f.ForPlayers
	// is not used). The membership is read in the list's statement; only an
	// empty page costs a second one. ErrNotFound when userID is not a
	// member of f.CampaignID.
	MemberPlots(ctx context.Context, userID string, f PlotFilter) ([]*gmc.PlotThread, string, gmc.Role, error)
	// UpdatePlot writes all of p's fields but BlockedBy, links included,
	// when the stored version equals p.Version, then increments p.Version.
	// ErrNotFound; ErrConflict on a stale version.
	UpdatePlot(ctx context.Context, p *gmc.PlotThread, ev *gmc.Event) error
	// DeletePlot removes the thread p.ID with its dependencies and
	// foreshadowing when the stored version equals p.Version. ErrNotFound;
	// ErrConflict on a stale version.
	DeletePlot(ctx context.Context, p *gmc.PlotThread, ev *gmc.Event) error
	// PlayedSessionNumber returns the number of the campaign's latest live
	// or ended game session, 0 when none has been played.
	PlayedSessionNumber(ctx context.Context, campaignID string) (int, error)
	// PlotReminders returns the campaign's threads and foreshadowing left
	// alone for at least sessions played sessions (see gmc.PlotReminders).
	PlotReminders(ctx context.Context, campaignID string, sessions int) (*gmc.PlotReminders, error)
}
