// Package demo creates the demo campaign that shows a newcomer the product
// working within a minute: a GM account and a small but rich campaign.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
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
	// Session is the campaign's live session, where the console replays
	// the demo table (see TableSpeakers).
	Session *gmc.GameSession
	// Reference is whether the server holds SRD entries: without them
	// keyword cards show only the campaign's own names.
	Reference bool
}

// LiveSessionNumber is the demo session that Create makes live: the next
// one the campaign has scheduled, "Up the Lighthouse".
const LiveSessionNumber = 3

// TableSpeakers maps the speaker labels of the demo table's script (the
// console's demo/script.json) to the demo's player characters; the GM's
// label is mapped to the demo GM's account.
var TableSpeakers = map[string]string{"Wren": "Wren Ashdown", "Tobias": "Tobias Vell", "Iska": "Iska of the Reeds"}

// GMLabel is the demo script's label for the game master.
const GMLabel = "GM"

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
	if out.Session, err = startTable(ctx, svc, u.ID, res.Campaign.ID); err != nil {
		return nil, err
	}
	entries, _, err := svc.ReferenceEntries(ctx, "", gmc.Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	out.Reference = len(entries) > 0
	return out, nil
}

// startTable makes the demo's next session live, with the script's
// speakers mapped to the party, so that the console opens straight onto
// a table ready for the replay.
func startTable(ctx context.Context, svc *service.Service, gmID, campaignID string) (*gmc.GameSession, error) {
	sessions, _, err := svc.Sessions(ctx, gmID, service.SessionQuery{CampaignID: campaignID, Status: gmc.SessionScheduled})
	if err != nil {
		return nil, err
	}
	var next *gmc.GameSession
	for _, gs := range sessions {
		if gs.Number == LiveSessionNumber {
			next = gs
		}
	}
	if next == nil {
		return nil, fmt.Errorf("demo: the campaign has no session %d to start", LiveSessionNumber)
	}
	gs, err := svc.StartSession(ctx, gmID, next.ID)
	if err != nil {
		return nil, err
	}
	pcs, _, err := svc.Characters(ctx, gmID, service.CharacterQuery{CampaignID: campaignID, Type: gmc.CharacterPC, Page: gmc.Page{Limit: 100}})
	if err != nil {
		return nil, err
	}
	speakers := []gmc.Speaker{{Label: GMLabel, UserID: &gmID}}
	for label, name := range TableSpeakers {
		for _, c := range pcs {
			if c.Name == name {
				speakers = append(speakers, gmc.Speaker{Label: label, CharacterID: &c.ID})
			}
		}
	}
	if _, err := svc.SetSpeakers(ctx, gmID, gs.ID, speakers); err != nil {
		return nil, err
	}
	return gs, nil
}

// newPassword returns 20 random characters, easy to copy from a terminal.
func newPassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}
