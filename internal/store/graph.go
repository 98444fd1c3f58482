package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// EdgeFilter selects relationships of a campaign for graph traversal.
type EdgeFilter struct {
	CampaignID string
	// Nodes are character ids; an edge matches when its source or target
	// is one of them, or both are when Within is set.
	Nodes  []string
	Within bool
	// HideGMOnly leaves out GM-only relationships and those with a GM-only
	// character at either end, so a traversal never reaches hidden nodes.
	HideGMOnly bool
}

// NodeFilter selects characters of a campaign as graph nodes.
type NodeFilter struct {
	CampaignID string
	IDs        []string
	HideGMOnly bool
}

// GraphStore reads the relationship graph a level at a time; the service
// walks it (breadth first), so both backends traverse the same way.
type GraphStore interface {
	// Edges returns the matching edges in id order, each once.
	Edges(ctx context.Context, f EdgeFilter) ([]gmc.GraphEdge, error)
	// GraphNodes returns the matching characters in id order; ids of other
	// campaigns, unknown ids and (with HideGMOnly) GM-only characters are
	// left out. Depth is zero.
	GraphNodes(ctx context.Context, f NodeFilter) ([]gmc.GraphNode, error)
}
