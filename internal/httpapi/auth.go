package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// UserOutput answers with one account.
type UserOutput struct {
	ETag string `header:"ETag"`
	Body *gmc.User
}

type registerInput struct {
	Body struct {
		Email       string `json:"email" maxLength:"320" format:"email" example:"gm@example.com"`
		Password    string `json:"password" minLength:"10" maxLength:"1024"`
		DisplayName string `json:"display_name" maxLength:"255" example:"Mira"`
	}
}

func (a *api) handleRegister(ctx context.Context, in *registerInput) (*UserOutput, error) {
	u, err := a.svc.Register(ctx, service.RegisterParams{Email: in.Body.Email, Password: in.Body.Password, DisplayName: in.Body.DisplayName, ClientIP: info(ctx).clientIP, SelfSignup: true})
	if err != nil {
		return nil, err
	}
	return &UserOutput{ETag: etag(u.Version), Body: u}, nil
}

type loginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"320"`
		Password string `json:"password" maxLength:"1024"`
	}
}

// TokenOutput answers a login or refresh with a token pair.
type TokenOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         *service.TokenPair
}

func tokens(p *service.TokenPair) *TokenOutput {
	return &TokenOutput{CacheControl: "no-store", Body: p}
}

func (a *api) handleLogin(ctx context.Context, in *loginInput) (*TokenOutput, error) {
	p, err := a.svc.Login(ctx, service.LoginParams{Email: in.Body.Email, Password: in.Body.Password, ClientIP: info(ctx).clientIP})
	if err != nil {
		return nil, err
	}
	return tokens(p), nil
}

type refreshInput struct {
	Body struct {
		RefreshToken string `json:"refresh_token" minLength:"1" maxLength:"512"`
	}
}

func (a *api) handleRefresh(ctx context.Context, in *refreshInput) (*TokenOutput, error) {
	p, err := a.svc.Refresh(ctx, in.Body.RefreshToken)
	if err != nil {
		return nil, err
	}
	return tokens(p), nil
}

func (a *api) handleLogout(ctx context.Context, in *refreshInput) (*struct{}, error) {
	return nil, a.svc.Logout(ctx, in.Body.RefreshToken)
}
