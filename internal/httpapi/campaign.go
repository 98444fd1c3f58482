package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// CampaignPath names one campaign in a path.
type CampaignPath struct {
	CampaignID string `path:"campaign_id" format:"uuid" doc:"Campaign id"`
}

// CampaignOutput answers with one campaign.
type CampaignOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     *gmc.Campaign
}

func campaignOut(c *gmc.Campaign) *CampaignOutput {
	return &CampaignOutput{ETag: etag(c.Version), Body: c}
}

type campaignBody struct {
	Name        string                `json:"name" maxLength:"255" example:"The Sunless Citadel"`
	Description string                `json:"description,omitempty" maxLength:"100000"`
	GameSystem  string                `json:"game_system,omitempty" maxLength:"255" example:"dnd5e"`
	Settings    *gmc.CampaignSettings `json:"settings,omitempty"`
}

type campaignCreateInput struct {
	Body campaignBody
}

func (a *api) handleCampaignCreate(ctx context.Context, uid string, in *campaignCreateInput) (*CampaignOutput, error) {
	c, err := a.svc.CreateCampaign(ctx, uid, service.CampaignParams{Name: in.Body.Name, Description: in.Body.Description, GameSystem: in.Body.GameSystem, Settings: in.Body.Settings})
	if err != nil {
		return nil, err
	}
	out := campaignOut(c)
	out.Location = BasePath + "/campaigns/" + c.ID
	return out, nil
}

type campaignListInput struct {
	PageInput
}

func (a *api) handleCampaignList(ctx context.Context, uid string, in *campaignListInput) (*ListOutput[*gmc.Campaign], error) {
	items, next, err := a.svc.Campaigns(ctx, uid, in.page())
	if err != nil {
		return nil, err
	}
	return list(items, next), nil
}

func (a *api) handleCampaignGet(ctx context.Context, uid string, in *CampaignPath) (*CampaignOutput, error) {
	c, err := a.svc.Campaign(ctx, uid, in.CampaignID)
	if err != nil {
		return nil, err
	}
	return campaignOut(c), nil
}

type campaignPutInput struct {
	CampaignPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    campaignBody
}

func (a *api) handleCampaignPut(ctx context.Context, uid string, in *campaignPutInput) (*CampaignOutput, error) {
	b := in.Body
	return a.updateCampaign(ctx, uid, in.CampaignID, in.IfMatch, service.CampaignUpdate{Name: &b.Name, Description: &b.Description, GameSystem: &b.GameSystem, Settings: b.Settings})
}

type campaignPatchInput struct {
	CampaignPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		Name        *string                    `json:"name,omitempty" maxLength:"255"`
		Description *string                    `json:"description,omitempty" maxLength:"100000"`
		GameSystem  *string                    `json:"game_system,omitempty" maxLength:"255"`
		Settings    *gmc.CampaignSettingsPatch `json:"settings,omitempty" doc:"The settings to change; the others keep their values"`
	}
}

func (a *api) handleCampaignPatch(ctx context.Context, uid string, in *campaignPatchInput) (*CampaignOutput, error) {
	b := in.Body
	return a.updateCampaign(ctx, uid, in.CampaignID, in.IfMatch, service.CampaignUpdate{Name: b.Name, Description: b.Description, GameSystem: b.GameSystem, SettingsPatch: b.Settings})
}

func (a *api) updateCampaign(ctx context.Context, uid, campaignID, ifMatchHeader string, upd service.CampaignUpdate) (*CampaignOutput, error) {
	var err error
	if upd.IfMatch, err = ifMatch(ifMatchHeader); err != nil {
		return nil, err
	}
	c, err := a.svc.UpdateCampaign(ctx, uid, campaignID, upd)
	if err != nil {
		return nil, err
	}
	return campaignOut(c), nil
}

func (a *api) handleCampaignDelete(ctx context.Context, uid string, in *CampaignPath) (*struct{}, error) {
	return nil, a.svc.DeleteCampaign(ctx, uid, in.CampaignID)
}
