package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

func (a *api) handleMeGet(ctx context.Context, uid string, _ *struct{}) (*UserOutput, error) {
	u, err := a.svc.Me(ctx, uid)
	if err != nil {
		return nil, err
	}
	return &UserOutput{ETag: etag(u.Version), Body: u}, nil
}

type mePatchInput struct {
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		DisplayName     *string `json:"display_name,omitempty" maxLength:"255"`
		Email           *string `json:"email,omitempty" maxLength:"320" format:"email"`
		NewPassword     *string `json:"new_password,omitempty" maxLength:"1024"`
		CurrentPassword string  `json:"current_password,omitempty" maxLength:"1024" doc:"Needed to change email or password"`
	}
}

// MeUpdated is the changed account and, after a change of email or
// password, the caller's new tokens.
type MeUpdated struct {
	gmc.User
	Tokens *service.TokenPair `json:"tokens,omitempty" doc:"Present when email or password changed: every earlier session of the account has ended, this one included, and these tokens are the caller's new session"`
}

// MeUpdatedOutput answers PATCH /users/me.
type MeUpdatedOutput struct {
	ETag         string `header:"ETag"`
	CacheControl string `header:"Cache-Control"`
	Body         *MeUpdated
}

func (a *api) handleMePatch(ctx context.Context, uid string, in *mePatchInput) (*MeUpdatedOutput, error) {
	version, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	u, pair, err := a.svc.UpdateMe(ctx, uid, service.UserUpdate{DisplayName: in.Body.DisplayName, Email: in.Body.Email,
		NewPassword: in.Body.NewPassword, CurrentPassword: in.Body.CurrentPassword, IfMatch: version})
	if err != nil {
		return nil, err
	}
	out := &MeUpdatedOutput{ETag: etag(u.Version), Body: &MeUpdated{User: *u, Tokens: pair}}
	if pair != nil {
		out.CacheControl = "no-store"
	}
	return out, nil
}

// UserExportOutput answers with all of the caller's data.
type UserExportOutput struct {
	Body *service.UserExport
}

func (a *api) handleMeExport(ctx context.Context, uid string, _ *struct{}) (*UserExportOutput, error) {
	e, err := a.svc.ExportMe(ctx, uid)
	if err != nil {
		return nil, err
	}
	return &UserExportOutput{Body: e}, nil
}

func (a *api) handleMeDelete(ctx context.Context, uid string, _ *struct{}) (*struct{}, error) {
	return nil, a.svc.DeleteMe(ctx, uid)
}
