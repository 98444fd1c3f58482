package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

// AddPlotDependency adds the edge d.PlotID → d.DependsOnID unless it would
// close a cycle. A per-campaign advisory lock makes the check and the
// insert atomic: without it two transactions adding A → B and B → A could
// each see no cycle and together make one.
func (db *DB) AddPlotDependency(ctx context.Context, d *gmc.PlotDependency, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, d.CampaignID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('gmc.plot_dependencies:' || $1::text, 0))`, d.CampaignID); err != nil {
			return interpretError(err)
		}
		refs, err := plotRefs(ctx, tx, d.CampaignID, d.PlotID, d.DependsOnID)
		if err != nil {
			return err
		}
		if want := len(slices.Compact([]string{d.PlotID, d.DependsOnID})); len(refs) != want {
			return gmc.Errorf(gmc.ErrNotFound, "plot_not_found", "plot thread not found")
		}
		edges := map[string][]string{}
		var from, to string
		rows, err := tx.Query(ctx, `SELECT plot_id, depends_on_id FROM plot_dependencies WHERE campaign_id = $1`, d.CampaignID)
		if err != nil {
			return interpretError(err)
		}
		if _, err := pgx.ForEachRow(rows, []any{&from, &to}, func() error { edges[from] = append(edges[from], to); return nil }); err != nil {
			return interpretError(err)
		}
		if err := checkNewDependency(ctx, tx, d, edges); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO plot_dependencies (campaign_id, plot_id, depends_on_id, created_at) VALUES ($1, $2, $3, $4)`,
			d.CampaignID, d.PlotID, d.DependsOnID, d.CreatedAt); err != nil {
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
	rows, err := q.Query(ctx, `SELECT id, title, status FROM plot_threads WHERE campaign_id = $1 AND id = ANY($2::uuid[]) ORDER BY id`, campaignID, ids)
	if err != nil {
		return nil, interpretError(err)
	}
	var out []gmc.PlotRef
	var r gmc.PlotRef
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.Title, &r.Status}, func() error { out = append(out, r); return nil })
	return out, interpretError(err)
}

// RemovePlotDependency removes one edge.
func (db *DB) RemovePlotDependency(ctx context.Context, d *gmc.PlotDependency, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, d.CampaignID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM plot_dependencies WHERE campaign_id = $1 AND plot_id = $2 AND depends_on_id = $3`,
			d.CampaignID, d.PlotID, d.DependsOnID)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(tag); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// dependencyWalk lists the threads reachable from $1 along
// plot_dependencies from column from to column to, each at its shortest
// distance. $2 follows only threads visible to players. In a DAG the walk
// ends by itself; the depth bound only guards against a corrupted graph.
func dependencyWalk(from, to string) string {
	return fmt.Sprintf(`WITH RECURSIVE walk(id, depth) AS (
		SELECT d.%[2]s, 1 FROM plot_dependencies d JOIN plot_threads p ON p.id = d.%[2]s
		WHERE d.%[1]s = $1 AND (NOT $2 OR p.visibility = 'players')
		UNION
		SELECT d.%[2]s, w.depth + 1 FROM walk w JOIN plot_dependencies d ON d.%[1]s = w.id JOIN plot_threads p ON p.id = d.%[2]s
		WHERE w.depth < 10000 AND (NOT $2 OR p.visibility = 'players')
	)
	SELECT p.id, p.title, p.status, min(w.depth) FROM walk w JOIN plot_threads p ON p.id = w.id
	GROUP BY p.id, p.title, p.status ORDER BY 4, 1`, from, to)
}

// PlotDependencies returns the threads upstream and downstream of id.
func (db *DB) PlotDependencies(ctx context.Context, id string, forPlayers bool) (*gmc.PlotDependencies, error) {
	var one int
	if err := db.q.QueryRow(ctx, `SELECT 1 FROM plot_threads WHERE id = $1`, id).Scan(&one); err != nil {
		return nil, interpretError(err)
	}
	up, err := walkDependencies(ctx, db.q, "plot_id", "depends_on_id", id, forPlayers)
	if err != nil {
		return nil, err
	}
	down, err := walkDependencies(ctx, db.q, "depends_on_id", "plot_id", id, forPlayers)
	if err != nil {
		return nil, err
	}
	return &gmc.PlotDependencies{Upstream: up, Downstream: down}, nil
}

func walkDependencies(ctx context.Context, q querier, from, to, id string, forPlayers bool) ([]gmc.PlotRef, error) {
	rows, err := q.Query(ctx, dependencyWalk(from, to), id, forPlayers)
	if err != nil {
		return nil, interpretError(err)
	}
	out := []gmc.PlotRef{}
	var r gmc.PlotRef
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.Title, &r.Status, &r.Depth}, func() error { out = append(out, r); return nil })
	return out, interpretError(err)
}
