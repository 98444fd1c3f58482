package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// ForeshadowingPath names one foreshadowing item in a path.
type ForeshadowingPath struct {
	ForeshadowingID string `path:"foreshadowing_id" format:"uuid" doc:"Foreshadowing id"`
}

// ForeshadowingOutput answers with one foreshadowing item.
type ForeshadowingOutput struct {
	ETag string `header:"ETag"`
	Body *gmc.Foreshadowing
}

type foreshadowingCreateInput struct {
	PlotPath
	Body struct {
		Description string  `json:"description" maxLength:"20000" example:"A raven follows the party from Barovia"`
		SessionID   *string `json:"session_id,omitempty" format:"uuid" doc:"The session it was planted in; by default the latest played"`
	}
}

func (a *api) handleForeshadowingCreate(ctx context.Context, uid string, in *foreshadowingCreateInput) (*ForeshadowingOutput, error) {
	f, err := a.svc.CreateForeshadowing(ctx, uid, in.PlotID, service.ForeshadowingParams{Description: in.Body.Description, SessionID: in.Body.SessionID})
	if err != nil {
		return nil, err
	}
	return &ForeshadowingOutput{ETag: etag(f.Version), Body: f}, nil
}

type foreshadowingPatchInput struct {
	ForeshadowingPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		Description *string `json:"description,omitempty" maxLength:"20000"`
		Revealed    *bool   `json:"revealed,omitempty" doc:"true reveals the hint (players then see it), false hides it again"`
		SessionID   *string `json:"session_id,omitempty" format:"uuid" doc:"The session it was revealed in"`
	}
}

func (a *api) handleForeshadowingPatch(ctx context.Context, uid string, in *foreshadowingPatchInput) (*ForeshadowingOutput, error) {
	v, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	b := in.Body
	f, err := a.svc.UpdateForeshadowing(ctx, uid, in.ForeshadowingID, service.ForeshadowingUpdate{Description: b.Description, Revealed: b.Revealed, SessionID: b.SessionID, IfMatch: v})
	if err != nil {
		return nil, err
	}
	return &ForeshadowingOutput{ETag: etag(f.Version), Body: f}, nil
}

type foreshadowingDeleteInput struct {
	ForeshadowingPath
	IfMatch string `header:"If-Match" doc:"Version the deletion is based on"`
}

func (a *api) handleForeshadowingDelete(ctx context.Context, uid string, in *foreshadowingDeleteInput) (*struct{}, error) {
	v, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteForeshadowing(ctx, uid, in.ForeshadowingID, v)
}
