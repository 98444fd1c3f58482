package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// BundleStore is what campaign export and import need beyond the entity
// stores: whole-campaign reads (one query instead of one per character)
// and adding a member directly, which only an import may do.
type BundleStore interface {
	// AddMember makes m.UserID a member of m.CampaignID with m.Role.
	// ErrNotFound when the campaign or user does not exist; ErrConflict
	// when they are a member already.
	AddMember(ctx context.Context, m *gmc.Member, ev *gmc.Event) error
	// CampaignRelationships returns every relationship of a campaign,
	// GM-only ones included, with its history, in id order.
	CampaignRelationships(ctx context.Context, campaignID string) ([]*gmc.Relationship, error)
	// CampaignAchievements returns every achievement of a campaign in id
	// (award) order.
	CampaignAchievements(ctx context.Context, campaignID string) ([]*gmc.Achievement, error)
	// CampaignPlotDependencies returns every dependency edge of a
	// campaign, ordered by plot id and then depends-on id.
	CampaignPlotDependencies(ctx context.Context, campaignID string) ([]*gmc.PlotDependency, error)
}
