package sqlite

import (
	"context"
	"database/sql"

	"github.com/gmc-project/gmc/internal/gmc"
)

// AddMember inserts m as a member.
func (db *DB) AddMember(ctx context.Context, m *gmc.Member, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := insertMember(ctx, tx, m); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// CampaignRelationships returns every relationship of a campaign with its
// history.
func (db *DB) CampaignRelationships(ctx context.Context, campaignID string) ([]*gmc.Relationship, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+relationshipColumns+` FROM relationships WHERE campaign_id = ? ORDER BY id`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	out, err := collectRows(rows, scanRelationship)
	if err != nil {
		return nil, err
	}
	return out, loadHistory(ctx, db.read, out)
}

// CampaignAchievements returns every achievement of a campaign.
func (db *DB) CampaignAchievements(ctx context.Context, campaignID string) ([]*gmc.Achievement, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+achievementColumns+` FROM achievements WHERE campaign_id = ? ORDER BY id`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, scanAchievement)
}

// CampaignPlotDependencies returns every dependency edge of a campaign.
func (db *DB) CampaignPlotDependencies(ctx context.Context, campaignID string) ([]*gmc.PlotDependency, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT campaign_id, plot_id, depends_on_id, created_at FROM plot_dependencies
		WHERE campaign_id = ? ORDER BY plot_id, depends_on_id`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, func(row interface{ Scan(...any) error }) (*gmc.PlotDependency, error) {
		var d gmc.PlotDependency
		var created int64
		if err := row.Scan(&d.CampaignID, &d.PlotID, &d.DependsOnID, &created); err != nil {
			return nil, interpretError(err)
		}
		d.CreatedAt = fromMicros(created)
		return &d, nil
	})
}
