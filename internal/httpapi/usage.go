package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// CampaignUsageOutput answers with a campaign's spending this month.
type CampaignUsageOutput struct {
	Body *gmc.CampaignUsage
}

func (a *api) handleCampaignUsage(ctx context.Context, uid string, in *CampaignPath) (*CampaignUsageOutput, error) {
	u, err := a.svc.CampaignUsage(ctx, uid, in.CampaignID)
	if err != nil {
		return nil, err
	}
	return &CampaignUsageOutput{Body: u}, nil
}
