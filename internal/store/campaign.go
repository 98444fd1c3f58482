package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// CampaignFilter selects campaigns.
type CampaignFilter struct {
	// MemberID limits the list to campaigns the user belongs to.
	MemberID string
	Page     gmc.Page
}

// CampaignStore keeps campaigns. Every write appends ev to the audit log
// in the same transaction.
type CampaignStore interface {
	// CreateCampaign inserts c and makes gm its first member.
	CreateCampaign(ctx context.Context, c *gmc.Campaign, gm *gmc.Member, ev *gmc.Event) error
	// Campaign returns the campaign with id, or ErrNotFound.
	Campaign(ctx context.Context, id string) (*gmc.Campaign, error)
	// MemberCampaign returns the campaign with id and userID's role in it,
	// in one statement, so that a member's read costs one round trip.
	// ErrNotFound when the campaign does not exist or userID is not in it.
	MemberCampaign(ctx context.Context, id, userID string) (*gmc.Campaign, gmc.Role, error)
	// Campaigns lists campaigns in creation order and the next page's cursor.
	Campaigns(ctx context.Context, f CampaignFilter) ([]*gmc.Campaign, string, error)
	// UpdateCampaign writes c's editable fields when the stored version
	// equals c.Version, then increments c.Version. ErrNotFound, ErrConflict.
	UpdateCampaign(ctx context.Context, c *gmc.Campaign, ev *gmc.Event) error
	// DeleteCampaign removes the campaign and everything in it. ErrNotFound.
	DeleteCampaign(ctx context.Context, id string) error
}
