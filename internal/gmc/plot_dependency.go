package gmc

import (
	"slices"
	"strings"
	"time"
)

// PlotDependency is an edge of a campaign's plot graph: PlotID depends on
// DependsOnID (which is upstream of it). The edges form a DAG.
type PlotDependency struct {
	CampaignID  string    `json:"campaign_id"`
	PlotID      string    `json:"plot_id"`
	DependsOnID string    `json:"depends_on_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// PlotDependencies are the threads a thread waits on (upstream) and the
// threads that wait on it (downstream), transitively, each with its
// distance in edges, nearest first.
type PlotDependencies struct {
	Upstream   []PlotRef `json:"upstream"`
	Downstream []PlotRef `json:"downstream"`
}

// DependencyPath returns the shortest path from → … → to along edges
// (edges[a] lists what a depends on), or nil when there is none. Breadth
// first over sorted neighbours, so the same graph always gives the same
// path.
func DependencyPath(edges map[string][]string, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		at := queue[0]
		queue = queue[1:]
		if at == to {
			path := []string{to}
			for p := prev[to]; p != ""; p = prev[p] {
				path = append(path, p)
			}
			slices.Reverse(path)
			return path
		}
		next := slices.Sorted(slices.Values(edges[at]))
		for _, n := range next {
			if _, seen := prev[n]; !seen {
				prev[n] = at
				queue = append(queue, n)
			}
		}
	}
	return nil
}

// DependencyCycle is the conflict of a dependency that would close a cycle;
// cycle runs from the thread that was to depend back to itself.
func DependencyCycle(cycle []PlotRef) error {
	steps := make([]string, len(cycle))
	for i, r := range cycle {
		steps[i] = `"` + r.Title + `" (` + r.ID + `)`
	}
	return Errorf(ErrConflict, "dependency_cycle", "this dependency would close the cycle %s", strings.Join(steps, " → "))
}
