package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Edges returns the campaign's edges that touch f.Nodes. The ids go in as
// one uuid[] parameter however many there are.
func (db *DB) Edges(ctx context.Context, f store.EdgeFilter) ([]gmc.GraphEdge, error) {
	if len(f.Nodes) == 0 || !isUUID(f.CampaignID) {
		return nil, nil
	}
	const sel = `SELECT r.id, r.source_id, r.target_id, r.kind, r.attitude FROM relationships r WHERE r.campaign_id = $1 AND `
	hide := ""
	if f.HideGMOnly {
		hide = ` AND r.visibility = 'players' AND NOT ` + hiddenEnd
	}
	// Two index lookups (source, then target) joined by UNION, which also
	// drops the edges found from both ends.
	q := sel + `r.source_id = ANY($2::uuid[])` + hide + ` UNION ` + sel + `r.target_id = ANY($2::uuid[])` + hide
	if f.Within {
		q = sel + `r.source_id = ANY($2::uuid[]) AND r.target_id = ANY($2::uuid[])` + hide
	}
	rows, err := db.q.Query(ctx, q+` ORDER BY 1`, f.CampaignID, f.Nodes)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, func(row pgx.Row) (gmc.GraphEdge, error) {
		var e gmc.GraphEdge
		err := row.Scan(&e.ID, &e.Source, &e.Target, &e.Kind, &e.Attitude)
		return e, interpretError(err)
	})
}

// GraphNodes returns the campaign's characters among f.IDs.
func (db *DB) GraphNodes(ctx context.Context, f store.NodeFilter) ([]gmc.GraphNode, error) {
	if len(f.IDs) == 0 || !isUUID(f.CampaignID) {
		return nil, nil
	}
	q := `SELECT id, name, character_type FROM characters WHERE campaign_id = $1 AND id = ANY($2::uuid[])`
	if f.HideGMOnly {
		q += ` AND visibility = 'players'`
	}
	rows, err := db.q.Query(ctx, q+` ORDER BY id`, f.CampaignID, f.IDs)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, func(row pgx.Row) (gmc.GraphNode, error) {
		var n gmc.GraphNode
		err := row.Scan(&n.ID, &n.Name, &n.CharacterType)
		return n, interpretError(err)
	})
}
