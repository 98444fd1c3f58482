package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/gmc-project/gmc/internal/gmc"
)

// AddPlotDependency adds the edge d.PlotID → d.DependsOnID unless it would
// close a cycle. The single writer makes the check and the insert atomic.
func (db *DB) AddPlotDependency(ctx context.Context, d *gmc.PlotDependency, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		refs, err := plotRefs(ctx, tx, d.CampaignID, d.PlotID, d.DependsOnID)
		if err != nil {
			return err
		}
		if want := len(slices.Compact([]string{d.PlotID, d.DependsOnID})); len(refs) != want {
			return gmc.Errorf(gmc.ErrNotFound, "plot_not_found", "plot thread not found")
		}
		edges := map[string][]string{}
		if err := eachPair(ctx, tx, `SELECT plot_id, depends_on_id FROM plot_dependencies WHERE campaign_id = ?`, []any{d.CampaignID},
			func(from, to string) { edges[from] = append(edges[from], to) }); err != nil {
			return err
		}
		if err := checkNewDependency(ctx, tx, d, edges); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO plot_dependencies (campaign_id, plot_id, depends_on_id, created_at) VALUES (?, ?, ?, ?)`,
			d.CampaignID, d.PlotID, d.DependsOnID, micros(d.CreatedAt)); err != nil {
			return interpretError(err)
		}
		return insertEvent(ctx, tx, ev)
	})
}

// checkNewDependency fails when the edge exists or would close a cycle:
// when d.PlotID is reachable from d.DependsOnID already.
func checkNewDependency(ctx context.Context, q querier, d *gmc.PlotDependency, edges map[string][]string) error {
	if slices.Contains(edges[d.PlotID], d.DependsOnID) {
		return gmc.Errorf(gmc.ErrConflict, "dependency_exists", "the thread already depends on that one")
	}
	path := gmc.DependencyPath(edges, d.DependsOnID, d.PlotID)
	if path == nil {
		return nil
	}
	cycle := append([]string{d.PlotID}, path...)
	refs, err := plotRefs(ctx, q, d.CampaignID, cycle...)
	if err != nil {
		return err
	}
	byID := map[string]gmc.PlotRef{}
	for _, r := range refs {
		byID[r.ID] = r
	}
	out := make([]gmc.PlotRef, len(cycle))
	for i, id := range cycle {
		out[i] = byID[id]
	}
	return gmc.DependencyCycle(out)
}

// plotRefs returns the threads with ids of a campaign, in id order.
func plotRefs(ctx context.Context, q querier, campaignID string, ids ...string) ([]gmc.PlotRef, error) {
	args := []any{campaignID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, title, status FROM plot_threads WHERE campaign_id = ? AND id IN (`+inList(len(ids))+`) ORDER BY id`, args...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []gmc.PlotRef
	for rows.Next() {
		var r gmc.PlotRef
		var status string
		if err := rows.Scan(&r.ID, &r.Title, &status); err != nil {
			return nil, interpretError(err)
		}
		r.Status = gmc.PlotStatus(status)
		out = append(out, r)
	}
	return out, interpretError(rows.Err())
}

// RemovePlotDependency removes one edge.
func (db *DB) RemovePlotDependency(ctx context.Context, d *gmc.PlotDependency, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM plot_dependencies WHERE campaign_id = ? AND plot_id = ? AND depends_on_id = ?`,
			d.CampaignID, d.PlotID, d.DependsOnID)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// dependencyWalk lists the threads reachable from ?1 along
// plot_dependencies from column from to column to, each at its shortest
// distance. ?2 = 1 follows only threads visible to players. In a DAG the
// walk ends by itself; the depth bound only guards against a corrupted
// graph.
func dependencyWalk(from, to string) string {
	return fmt.Sprintf(`WITH RECURSIVE walk(id, depth) AS (
		SELECT d.%[2]s, 1 FROM plot_dependencies d JOIN plot_threads p ON p.id = d.%[2]s
		WHERE d.%[1]s = ?1 AND (?2 = 0 OR p.visibility = 'players')
		UNION
		SELECT d.%[2]s, w.depth + 1 FROM walk w JOIN plot_dependencies d ON d.%[1]s = w.id JOIN plot_threads p ON p.id = d.%[2]s
		WHERE w.depth < 10000 AND (?2 = 0 OR p.visibility = 'players')
	)
	SELECT p.id, p.title, p.status, min(w.depth) FROM walk w JOIN plot_threads p ON p.id = w.id
	GROUP BY p.id, p.title, p.status ORDER BY 4, 1`, from, to)
}

// PlotDependencies returns the threads upstream and downstream of id.
func (db *DB) PlotDependencies(ctx context.Context, id string, forPlayers bool) (*gmc.PlotDependencies, error) {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1 FROM plot_threads WHERE id = ?`, id).Scan(&one); err != nil {
		return nil, interpretError(err)
	}
	up, err := walkDependencies(ctx, db.read, "plot_id", "depends_on_id", id, forPlayers)
	if err != nil {
		return nil, err
	}
	down, err := walkDependencies(ctx, db.read, "depends_on_id", "plot_id", id, forPlayers)
	if err != nil {
		return nil, err
	}
	return &gmc.PlotDependencies{Upstream: up, Downstream: down}, nil
}

func walkDependencies(ctx context.Context, q querier, from, to, id string, forPlayers bool) ([]gmc.PlotRef, error) {
	rows, err := q.QueryContext(ctx, dependencyWalk(from, to), id, forPlayers)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	out := []gmc.PlotRef{}
	for rows.Next() {
		var r gmc.PlotRef
		var status string
		if err := rows.Scan(&r.ID, &r.Title, &status, &r.Depth); err != nil {
			return nil, interpretError(err)
		}
		r.Status = gmc.PlotStatus(status)
		out = append(out, r)
	}
	return out, interpretError(rows.Err())
}
