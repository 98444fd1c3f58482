package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// PlotDependencyStore keeps the dependency DAG of each campaign's plot
// threads. Every write appends ev to the audit log in the same transaction.
type PlotDependencyStore interface {
	// AddPlotDependency makes d.PlotID depend on d.DependsOnID.
	// ErrNotFound when either thread is not in d.CampaignID; ErrConflict
	// with code "dependency_exists" for an edge already there, or
	// "dependency_cycle" (gmc.DependencyCycle, naming the cycle) when the
	// edge would close a cycle — a thread depending on itself included.
	// The check and the insert are one transaction, so concurrent edges
	// cannot close a cycle together.
	AddPlotDependency(ctx context.Context, d *gmc.PlotDependency, ev *gmc.Event) error
	// RemovePlotDependency removes the edge d.PlotID → d.DependsOnID.
	// ErrNotFound.
	RemovePlotDependency(ctx context.Context, d *gmc.PlotDependency, ev *gmc.Event) error
	// PlotDependencies returns the threads upstream and downstream of the
	// thread with id, transitively, nearest first and then by id.
	// forPlayers follows only threads visible to players. ErrNotFound.
	PlotDependencies(ctx context.Context, id string, forPlayers bool) (*gmc.PlotDependencies, error)
}
