package service

import (
	"cmp"
	"context"
	"maps"
	"slices"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// The relationship graph is walked breadth first in Go, one store query
// per ring of nodes: the store answers "edges touching these nodes" from
// its indexes, and the walk is the same code on both backends. Edges are
// followed in both directions (A knows B either way). For players the
// store leaves out GM-only relationships and relationships to GM-only
// characters, so the walk never reaches a hidden node.

// walker reads one campaign's graph as one member may see it.
type walker struct {
	store    store.GraphStore
	campaign string
	hide     bool
}

func (w *walker) edges(ctx context.Context, nodes []string, within bool) ([]gmc.GraphEdge, error) {
	return w.store.Edges(ctx, store.EdgeFilter{CampaignID: w.campaign, Nodes: nodes, Within: within, HideGMOnly: w.hide})
}

// graphWalker checks the caller may read the campaign and that each of
// ids names a character of it they may see.
func (s *Service) graphWalker(ctx context.Context, userID, campaignID string, ids ...string) (*walker, error) {
	m, err := s.access(ctx, campaignID, userID, gmc.RoleObserver)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		c, err := s.store.Character(ctx, id)
		if err != nil || c.CampaignID != campaignID || !c.Visibility.VisibleTo(m.Role) {
			return nil, notFound(gmc.ErrNotFound, gmc.EntityCharacter)
		}
	}
	return &walker{store: s.store, campaign: campaignID, hide: m.Role != gmc.RoleGM}, nil
}

// Graph returns the neighbourhood of a character: every character within
// depth relationships of it (0 means gmc.DefaultGraphDepth), and every
// relationship between those characters.
func (s *Service) Graph(ctx context.Context, userID, campaignID, centerID string, depth int) (*gmc.Graph, error) {
	if depth == 0 {
		depth = gmc.DefaultGraphDepth
	}
	if depth < 1 || depth > gmc.MaxGraphDepth {
		return nil, gmc.Invalid("query.depth", "must be between 1 and %d", gmc.MaxGraphDepth)
	}
	w, err := s.graphWalker(ctx, userID, campaignID, centerID)
	if err != nil {
		return nil, err
	}
	depthOf := map[string]int{centerID: 0}
	edges := map[string]gmc.GraphEdge{}
	ring := []string{centerID}
	for d := 1; d <= depth && len(ring) > 0; d++ {
		found, err := w.edges(ctx, ring, false)
		if err != nil {
			return nil, err
		}
		ring = nil
		for _, e := range found {
			edges[e.ID] = e
			for _, n := range []string{e.Source, e.Target} {
				if _, seen := depthOf[n]; !seen {
					depthOf[n] = d
					ring = append(ring, n)
				}
			}
		}
	}
	// Edges between two nodes of the outermost ring were reached from
	// neither end.
	if len(ring) > 0 {
		found, err := w.edges(ctx, ring, true)
		if err != nil {
			return nil, err
		}
		for _, e := range found {
			edges[e.ID] = e
		}
	}
	list := slices.SortedFunc(maps.Values(edges), func(a, b gmc.GraphEdge) int { return cmp.Compare(a.ID, b.ID) })
	return w.graph(ctx, depthOf, list)
}

// graph fetches the nodes with the given depths, orders them by depth then
// id (for a path: in path order), and adds edges as they are.
func (w *walker) graph(ctx context.Context, depthOf map[string]int, edges []gmc.GraphEdge) (*gmc.Graph, error) {
	ids := make([]string, 0, len(depthOf))
	for id := range depthOf {
		ids = append(ids, id)
	}
	nodes, err := w.store.GraphNodes(ctx, store.NodeFilter{CampaignID: w.campaign, IDs: ids, HideGMOnly: w.hide})
	if err != nil {
		return nil, err
	}
	for i := range nodes {
		nodes[i].Depth = depthOf[nodes[i].ID]
	}
	slices.SortStableFunc(nodes, func(a, b gmc.GraphNode) int { return cmp.Compare(a.Depth, b.Depth) })
	if edges == nil {
		edges = []gmc.GraphEdge{}
	}
	return &gmc.Graph{Nodes: nodes, Edges: edges}, nil
}

// GraphPath returns a shortest chain of relationships between two
// characters: its nodes and edges in order from the first to the second.
// ErrNotFound (code "no_path") when none connects them.
func (s *Service) GraphPath(ctx context.Context, userID, campaignID, fromID, toID string) (*gmc.Graph, error) {
	w, err := s.graphWalker(ctx, userID, campaignID, fromID, toID)
	if err != nil {
		return nil, err
	}
	from, to := newSearch(fromID), newSearch(toID)
	meet := ""
	if fromID == toID {
		meet = fromID
	}
	// Bidirectional breadth-first search: grow the smaller frontier a
	// whole ring at a time until the two searches touch. Both cover about
	// the square root of what one search from one end would.
	for meet == "" && len(from.ring) > 0 && len(to.ring) > 0 {
		grow, other := from, to
		if len(to.ring) < len(from.ring) {
			grow, other = to, from
		}
		if meet, err = w.grow(ctx, grow, other); err != nil {
			return nil, err
		}
	}
	if meet == "" {
		return nil, gmc.Errorf(gmc.ErrNotFound, "no_path", "no chain of relationships the caller can see connects these characters")
	}
	nodes, edges := from.chain(meet)
	slices.Reverse(nodes)
	slices.Reverse(edges)
	tail, tailEdges := to.chain(meet)
	nodes = append(nodes, tail[1:]...)
	edges = append(edges, tailEdges...)
	depthOf := make(map[string]int, len(nodes))
	for i, n := range nodes {
		depthOf[n] = i
	}
	return w.graph(ctx, depthOf, edges)
}

// search is one side of a bidirectional breadth-first search.
type search struct {
	// via says how each reached node was reached; the start has no entry.
	via   map[string]hop
	depth map[string]int
	ring  []string
}

type hop struct {
	prev string
	edge gmc.GraphEdge
}

func newSearch(start string) *search {
	return &search{via: map[string]hop{}, depth: map[string]int{start: 0}, ring: []string{start}}
}

// grow advances s by one ring and returns a node other has reached too,
// or "". Every such node lies on a shortest path (other has not reached
// any node of s before, so all of them are equally far); the smallest id
// is taken so answers are repeatable.
func (w *walker) grow(ctx context.Context, s, other *search) (string, error) {
	found, err := w.edges(ctx, s.ring, false)
	if err != nil {
		return "", err
	}
	level := s.depth[s.ring[0]]
	var next []string
	meet := ""
	for _, e := range found {
		for _, end := range [2][2]string{{e.Source, e.Target}, {e.Target, e.Source}} {
			u, v := end[0], end[1]
			du, reachedU := s.depth[u]
			_, seenV := s.depth[v]
			if !reachedU || du != level || seenV {
				continue
			}
			s.depth[v], s.via[v] = level+1, hop{prev: u, edge: e}
			next = append(next, v)
			if _, reached := other.depth[v]; reached && (meet == "" || v < meet) {
				meet = v
			}
		}
	}
	s.ring = next
	return meet, nil
}

// chain returns the nodes from n back to the start of s, and the edges
// between them.
func (s *search) chain(n string) ([]string, []gmc.GraphEdge) {
	nodes := []string{n}
	var edges []gmc.GraphEdge
	for {
		h, ok := s.via[n]
		if !ok {
			return nodes, edges
		}
		nodes, edges, n = append(nodes, h.prev), append(edges, h.edge), h.prev
	}
}
