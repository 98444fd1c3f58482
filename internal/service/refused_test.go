package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// latestEvent is the id of the campaign's newest audit event: a refused
// call leaves it as it was.
func latestEvent(t *testing.T, st store.Store, campaignID string) string {
	t.Helper()
	evs, _, err := st.Events(context.Background(), store.EventFilter{CampaignID: campaignID, Page: gmc.Page{Limit: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		return ""
	}
	return evs[0].ID
}

// wantField checks that err is a validation error naming location.
func wantField(t *testing.T, err error, location string) {
	t.Helper()
	var ve *gmc.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a validation error naming %s", err, location)
	}
	for _, f := range ve.Fields {
		if f.Location == location {
			return
		}
	}
	t.Errorf("error = %v, want one naming %s", err, location)
}

// TestServiceRefusesBadInput calls the use cases the way the other entry
// points than the HTTP API do (the job runners, the host's tools), with
// input the API's schema would have stopped earlier: the service itself
// refuses it, naming the field, and writes nothing.
func TestServiceRefusesBadInput(t *testing.T) {
	t.Parallel()
	ptr := func(s string) *string { return &s }
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			gm, cid := tb.gm.ID, tb.campaign.ID
			plot := ok(tb.svc.CreatePlot(ctx, gm, cid, service.PlotParams{Title: "The funeral", Milestones: []gmc.Milestone{{Title: "Bury the Burgomaster"}}}))(t)
			hint := ok(tb.svc.CreateForeshadowing(ctx, gm, plot.ID, service.ForeshadowingParams{Description: "The coffin is too light"}))(t)
			loc := ok(tb.svc.CreateLocation(ctx, gm, cid, service.LocationParams{Name: "Village of Barovia", LocationType: "village"}))(t)
			long := strings.Repeat("x", 20000)

			tests := []struct {
				name string
				call func() error
				// field is the location the validation error names; kind,
				// when field is empty, the kind of error.
				field string
				kind  error
			}{
				{"plots of an unknown status", func() error {
					_, _, err := tb.svc.Plots(ctx, gm, service.PlotQuery{CampaignID: cid, Status: "lost"})
					return err
				}, "query.status", nil},
				{"sessions of an unknown status", func() error {
					_, _, err := tb.svc.Sessions(ctx, gm, service.SessionQuery{CampaignID: cid, Status: "paused"})
					return err
				}, "query.status", nil},
				{"characters of an unknown type", func() error {
					_, _, err := tb.svc.Characters(ctx, gm, service.CharacterQuery{CampaignID: cid, Type: "monster"})
					return err
				}, "query.character_type", nil},
				{"graph too deep", func() error {
					_, err := tb.svc.Graph(ctx, gm, cid, tb.npc.ID, gmc.MaxGraphDepth+1)
					return err
				}, "query.depth", nil},
				{"member role unknown", func() error {
					_, err := tb.svc.SetMemberRole(ctx, gm, cid, tb.player.ID, "king")
					return err
				}, "body.role", nil},
				{"role of someone not in the campaign", func() error {
					_, err := tb.svc.SetMemberRole(ctx, gm, cid, tb.ids.next(), gmc.RoleObserver)
					return err
				}, "", gmc.ErrNotFound},
				{"removing someone not in the campaign", func() error {
					return tb.svc.RemoveMember(ctx, gm, cid, tb.ids.next())
				}, "", gmc.ErrNotFound},
				{"invite for too many uses", func() error {
					_, err := tb.svc.CreateInvite(ctx, gm, cid, service.InviteParams{MaxUses: service.MaxInviteUses + 1})
					return err
				}, "body.max_uses", nil},
				{"new thread with a milestone id of its own", func() error {
					_, err := tb.svc.CreatePlot(ctx, gm, cid, service.PlotParams{Title: "Escape", Milestones: []gmc.Milestone{{ID: tb.ids.next(), Title: "Leave"}}})
					return err
				}, "body.milestones[0].id", nil},
				{"a milestone twice", func() error {
					twice := []gmc.Milestone{plot.Milestones[0], plot.Milestones[0]}
					_, err := tb.svc.UpdatePlot(ctx, gm, plot.ID, service.PlotUpdate{Milestones: &twice})
					return err
				}, "body.milestones[1].id", nil},
				{"hint hidden again in a session", func() error {
					no := false
					_, err := tb.svc.UpdateForeshadowing(ctx, gm, hint.ID, service.ForeshadowingUpdate{Revealed: &no, SessionID: &tb.session.ID})
					return err
				}, "body.session_id", nil},
				{"reveal session of an unrevealed hint", func() error {
					_, err := tb.svc.UpdateForeshadowing(ctx, gm, hint.ID, service.ForeshadowingUpdate{SessionID: &tb.session.ID})
					return err
				}, "body.session_id", nil},
				{"hint emptied", func() error {
					_, err := tb.svc.UpdateForeshadowing(ctx, gm, hint.ID, service.ForeshadowingUpdate{Description: ptr("  ")})
					return err
				}, "body.description", nil},
				{"unknown hint", func() error {
					_, err := tb.svc.UpdateForeshadowing(ctx, gm, tb.ids.next(), service.ForeshadowingUpdate{Description: ptr("x")})
					return err
				}, "", gmc.ErrNotFound},
				{"session title too long", func() error {
					_, err := tb.svc.UpdateSession(ctx, gm, tb.session.ID, service.SessionUpdate{Title: &long})
					return err
				}, "body.title", nil},
				{"new session titled too long", func() error {
					_, err := tb.svc.CreateSession(ctx, gm, cid, service.SessionParams{Title: long})
					return err
				}, "body.title", nil},
				{"stale session version", func() error {
					_, err := tb.svc.UpdateSession(ctx, gm, tb.session.ID, service.SessionUpdate{Title: ptr("Late"), IfMatch: tb.session.Version + 5})
					return err
				}, "", gmc.ErrConflict},
				{"relationship note too long", func() error {
					_, err := tb.svc.UpdateRelationship(ctx, gm, tb.relationship.ID, service.RelationshipUpdate{Note: long})
					return err
				}, "body.note", nil},
				{"player writing gm_notes", func() error {
					_, err := tb.svc.CreateCharacter(ctx, tb.player.ID, cid, service.CharacterParams{Name: "Sneak", CharacterType: gmc.CharacterPC,
						GMNotes: []byte(`{"secret":"mine"}`)})
					return err
				}, "", gmc.ErrForbidden},
				{"location renamed to nothing", func() error {
					_, err := tb.svc.UpdateLocation(ctx, gm, loc.ID, service.LocationUpdate{Name: ptr("")})
					return err
				}, "body.name", nil},
				{"NPC of an unknown culture", func() error {
					_, err := tb.svc.GenerateNPC(ctx, gm, cid, generate.NPCHints{Culture: "martian"}, service.GenerateOptions{Save: true})
					return err
				}, "body.hints.culture", nil},
				{"location of an unknown mood", func() error {
					_, err := tb.svc.GenerateLocation(ctx, gm, cid, service.LocationGenerateParams{Type: "tavern", Hints: generate.LocationHints{Mood: "cheerful"}},
						service.GenerateOptions{Save: true})
					return err
				}, "body.hints.mood", nil},
				{"encounter for a party of level 0", func() error {
					_, err := tb.svc.GenerateEncounter(ctx, gm, cid, service.EncounterParams{PartyLevel: 0, PartySize: 4}, service.GenerateOptions{})
					return err
				}, "body.party_level", nil},
				{"too many plot hooks", func() error {
					_, err := tb.svc.GeneratePlotHooks(ctx, gm, cid, generate.MaxHookCount+1, service.GenerateOptions{Save: true})
					return err
				}, "body.count", nil},
				{"email change without the password", func() error {
					_, _, err := tb.svc.UpdateMe(ctx, tb.player.ID, service.UserUpdate{Email: ptr("new@example.com"), CurrentPassword: "wrong"})
					return err
				}, "body.current_password", nil},
				{"stale account version", func() error {
					_, _, err := tb.svc.UpdateMe(ctx, tb.player.ID, service.UserUpdate{DisplayName: ptr("P"), IfMatch: 99})
					return err
				}, "", gmc.ErrConflict},
				{"account that does not exist", func() error {
					_, _, err := tb.svc.UpdateMe(ctx, tb.ids.next(), service.UserUpdate{DisplayName: ptr("Ghost")})
					return err
				}, "", gmc.ErrUnauthenticated},
				{"refresh without a token", func() error {
					_, err := tb.svc.Refresh(ctx, "")
					return err
				}, "body.refresh_token", nil},
				{"sign-up with no email", func() error {
					_, err := tb.svc.Register(ctx, service.RegisterParams{Email: "nobody", Password: "correct horse battery", DisplayName: "N"})
					return err
				}, "body.email", nil},
				{"export of an account that does not exist", func() error {
					_, err := tb.svc.ExportMe(ctx, tb.ids.next())
					return err
				}, "", gmc.ErrUnauthenticated},
				{"hint for an unknown thread", func() error {
					_, err := tb.svc.CreateForeshadowing(ctx, gm, tb.ids.next(), service.ForeshadowingParams{Description: "A raven"})
					return err
				}, "", gmc.ErrNotFound},
				{"logout without a token", func() error {
					return tb.svc.Logout(ctx, "")
				}, "body.refresh_token", nil},
			}
			for _, tc := range tests {
				before := latestEvent(t, tb.st, cid)
				err := tc.call()
				switch {
				case err == nil:
					t.Errorf("%s: no error", tc.name)
				case tc.field != "":
					wantField(t, err, tc.field)
				case !errors.Is(err, tc.kind):
					t.Errorf("%s: error = %v, want %v", tc.name, err, tc.kind)
				}
				if after := latestEvent(t, tb.st, cid); after != before {
					t.Errorf("%s: refused, but an audit event was written", tc.name)
				}
			}
			// What the refused calls would have changed is as it was.
			if got := ok(tb.svc.Me(ctx, tb.player.ID))(t); got.Email != "player@example.com" || got.DisplayName != "Player" {
				t.Errorf("account after refused updates = %s <%s>", got.DisplayName, got.Email)
			}
			if got := ok(tb.svc.Members(ctx, gm, cid))(t); len(got) != 2 {
				t.Errorf("%d members after refused changes, want 2", len(got))
			}
			if got := ok(tb.svc.Plot(ctx, gm, plot.ID))(t); got.Version != plot.Version || len(got.Foreshadowing) != 1 || got.Foreshadowing[0].Revealed {
				t.Errorf("thread after refused changes: version %d, hints %+v", got.Version, got.Foreshadowing)
			}
		})
	}
}
