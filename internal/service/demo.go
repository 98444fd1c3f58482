package service

import (
	"context"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
)

// DemoAccount returns the account with email, registering it with
// password and displayName when there is none; created says which. Only
// the gmc demo command calls it: it reveals whether an account exists.
func (s *Service) DemoAccount(ctx context.Context, email, password, displayName string) (u *gmc.User, created bool, err error) {
	u, err = s.store.UserByEmail(ctx, gmc.NormalizeEmail(email))
	if err == nil {
		return u, false, nil
	} else if !errors.Is(err, gmc.ErrNotFound) {
		return nil, false, err
	}
	u, err = s.Register(ctx, RegisterParams{Email: email, Password: password, DisplayName: displayName})
	return u, err == nil, err
}
