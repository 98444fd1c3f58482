package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
)

// AddMember inserts m as a member.
func (db *DB) AddMember(ctx context.Context, m *gmc.Member, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := insertMember(ctx, tx, m); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// CampaignRelationships returns every relationship of a campaign with its
// history.
func (db *DB) CampaignRelationships(ctx context.Context, campaignID string) ([]*gmc.Relationship, error) {
	if !isUUID(campaignID) {
		return nil, nil
	}
	rows, err := db.q.Query(ctx, `SELECT `+relationshipColumns+` FROM relationships WHERE campaign_id = $1 ORDER BY id`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	out, err := collect(rows, scanRelationship)
	if err != nil {
		return nil, err
	}
	return out, loadHistory(ctx, db.q, out)
}

// CampaignAchievements returns every achievement of a campaign.
func (db *DB) CampaignAchievements(ctx context.Context, campaignID string) ([]*gmc.Achievement, error) {
	if !isUUID(campaignID) {
		return nil, nil
	}
	rows, err := db.q.Query(ctx, `SELECT `+achievementColumns+` FROM achievements WHERE campaign_id = $1 ORDER BY id`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, scanAchievement)
}

// CampaignPlotDependencies returns every dependency edge of a campaign.
func (db *DB) CampaignPlotDependencies(ctx context.Context, campaignID string) ([]*gmc.PlotDependency, error) {
	if !isUUID(campaignID) {
		return nil, nil
	}
	rows, err := db.q.Query(ctx, `SELECT campaign_id, plot_id, depends_on_id, created_at FROM plot_dependencies
		WHERE campaign_id = $1 ORDER BY plot_id, depends_on_id`, campaignID)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, func(row pgx.Row) (*gmc.PlotDependency, error) {
		var d gmc.PlotDependency
		if err := row.Scan(&d.CampaignID, &d.PlotID, &d.DependsOnID, &d.CreatedAt); err != nil {
			return nil, interpretError(err)
		}
		d.CreatedAt = d.CreatedAt.UTC()
		return &d, nil
	})
}
