package gmc

// Graph limits.
const (
	DefaultGraphDepth = 2
	MaxGraphDepth     = 4
)

// GraphNode is a character as the relationship graph shows it.
type GraphNode struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	CharacterType CharacterType `json:"character_type"`
	// Depth is the number of relationships between the node and the
	// graph's centre (or the path's start).
	Depth int `json:"depth"`
}

// GraphEdge is a relationship as the relationship graph shows it.
type GraphEdge struct {
	ID       string `json:"id"`
	Source   string `json:"source"`
	Target   string `json:"target"`
	Kind     string `json:"kind"`
	Attitude int    `json:"attitude"`
}

// Graph is a part of a campaign's relationship graph: a neighbourhood, or
// a path with its nodes and edges in order.
type Graph struct {
	Nodes []GraphNode `json:"nodes"`
	Edges []GraphEdge `json:"edges"`
}
