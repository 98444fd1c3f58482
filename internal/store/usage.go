package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// UsageStore counts what each campaign spends of its monthly budgets, per
// calendar month ("2006-01", gmc.MonthOf). Counts only grow; deleting the
// campaign deletes them.
type UsageStore interface {
	// AddCampaignUsage adds add to the campaign's counts for month in one
	// atomic step (concurrent additions on any instance all count) and
	// returns the month's totals after it. ErrNotFound when the campaign
	// does not exist.
	AddCampaignUsage(ctx context.Context, campaignID, month string, add gmc.Usage) (gmc.Usage, error)
	// CampaignUsage returns the campaign's counts for month: zero when it
	// spent nothing then (or does not exist); it returns no sentinel error.
	CampaignUsage(ctx context.Context, campaignID, month string) (gmc.Usage, error)
}
