package sqlite

import (
	"context"
	"encoding/json"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// hiddenEnd is true for an edge r with a GM-only character at either end.
const hiddenEnd = `EXISTS (SELECT 1 FROM characters c WHERE c.id IN (r.source_id, r.target_id) AND c.visibility = 'gm')`

// Edges returns the campaign's edges that touch f.Nodes. The id list goes
// in as one JSON array, read with json_each, so a frontier of thousands of
// nodes needs no thousands of bound parameters.
func (db *DB) Edges(ctx context.Context, f store.EdgeFilter) ([]gmc.GraphEdge, error) {
	if len(f.Nodes) == 0 {
		return nil, nil
	}
	nodes, err := json.Marshal(f.Nodes)
	if err != nil {
		return nil, err
	}
	// The unary + keeps SQLite from driving the query by the campaign
	// index: without statistics it takes "campaign_id = ?" for the more
	// selective condition and scans every edge of the campaign.
	const sel = `SELECT r.id, r.source_id, r.target_id, r.kind, r.attitude FROM relationships r WHERE +r.campaign_id = ?1 AND `
	const inSet = ` IN (SELECT value FROM json_each(?2))`
	hide := ""
	if f.HideGMOnly {
		hide = ` AND r.visibility = 'players' AND NOT ` + hiddenEnd
	}
	// Two index lookups (source, then target) joined by UNION, which also
	// drops the edges found from both ends.
	q := sel + `r.source_id` + inSet + hide + ` UNION ` + sel + `r.target_id` + inSet + hide
	if f.Within {
		q = sel + `r.source_id` + inSet + ` AND r.target_id` + inSet + hide
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY 1`, f.CampaignID, string(nodes))
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, func(row interface{ Scan(...any) error }) (gmc.GraphEdge, error) {
		var e gmc.GraphEdge
		err := row.Scan(&e.ID, &e.Source, &e.Target, &e.Kind, &e.Attitude)
		return e, interpretError(err)
	})
}

// GraphNodes returns the campaign's characters among f.IDs.
func (db *DB) GraphNodes(ctx context.Context, f store.NodeFilter) ([]gmc.GraphNode, error) {
	if len(f.IDs) == 0 {
		return nil, nil
	}
	ids, err := json.Marshal(f.IDs)
	if err != nil {
		return nil, err
	}
	q := `SELECT id, name, character_type FROM characters WHERE campaign_id = ? AND id IN (SELECT value FROM json_each(?))`
	if f.HideGMOnly {
		q += ` AND visibility = 'players'`
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY id`, f.CampaignID, string(ids))
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, func(row interface{ Scan(...any) error }) (gmc.GraphNode, error) {
		var n gmc.GraphNode
		err := row.Scan(&n.ID, &n.Name, &n.CharacterType)
		return n, interpretError(err)
	})
}
