// Package demo creates the demo campaign that shows a newcomer the product
// working within a minute: a GM account and a small but rich campaign.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// DefaultEmail is the demo GM's login.
const DefaultEmail = "demo-gm@example.com"

// Result says what Create made.
type Result struct {
	Email string
	// Password is set when the account was created now; an existing
	// account keeps its password, which is not known here.
	Password string
	Campaign *gmc.Campaign
}

// Create makes (or reuses) the demo GM account with email and gives it a
// new demo campaign. The campaign goes through the service's import, the
// path every campaign document takes, so the audit log and the search
// index are filled as for any campaign.
func Create(ctx context.Context, svc *service.Service, email string, now time.Time) (*Result, error) {
	password := newPassword()
	u, created, err := svc.DemoAccount(ctx, email, password, "Demo GM")
	if err != nil {
		return nil, err
	}
	res, err := svc.ImportCampaign(ctx, u.ID, Campaign(now))
	if err != nil {
		return nil, err
	}
	out := &Result{Email: u.Email, Campaign: res.Campaign}
	if created {
		out.Password = password
	}
	return out, nil
}

// newPassword returns 20 random characters, easy to copy from a terminal.
func newPassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
