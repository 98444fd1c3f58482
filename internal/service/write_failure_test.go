package service_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

var errDiskFull = errors.New("database refuses the write: no space left on device")

// fullDisk is a store that reads but refuses the writes the use cases make
// outside a transaction, as a database whose disk has filled up does.
type fullDisk struct{ store.Store }

func (fullDisk) CreateCampaign(context.Context, *gmc.Campaign, *gmc.Member, *gmc.Event) error {
	return errDiskFull
}
func (fullDisk) CreateSession(context.Context, *gmc.GameSession, *gmc.Event) error {
	return errDiskFull
}
func (fullDisk) DeleteSession(context.Context, string, *gmc.Event) error { return errDiskFull }
func (fullDisk) UpdateCharacter(context.Context, *gmc.Character, *gmc.Event) error {
	return errDiskFull
}
func (fullDisk) DeleteCharacter(context.Context, string, *gmc.Event) error { return errDiskFull }
func (fullDisk) CreateForeshadowing(context.Context, *gmc.Foreshadowing, *gmc.Event) error {
	return errDiskFull
}
func (fullDisk) UpdateForeshadowing(context.Context, *gmc.Foreshadowing, *gmc.Event) error {
	return errDiskFull
}
func (fullDisk) DeleteForeshadowing(context.Context, *gmc.Foreshadowing, *gmc.Event) error {
	return errDiskFull
}
func (fullDisk) CreateInvite(context.Context, *gmc.Invite, *gmc.Event) error     { return errDiskFull }
func (fullDisk) UpdateLocation(context.Context, *gmc.Location, *gmc.Event) error { return errDiskFull }
func (fullDisk) SetVoiceConsent(context.Context, *gmc.Member, *gmc.Event) error  { return errDiskFull }
func (fullDisk) CreatePlot(context.Context, *gmc.PlotThread, *gmc.Event) error   { return errDiskFull }
func (fullDisk) UpdatePlot(context.Context, *gmc.PlotThread, *gmc.Event) error   { return errDiskFull }
func (fullDisk) DeletePlot(context.Context, *gmc.PlotThread, *gmc.Event) error   { return errDiskFull }
func (fullDisk) DeleteRelationship(context.Context, string, *gmc.Event) error    { return errDiskFull }
func (fullDisk) UpdateUser(context.Context, *gmc.User) error                     { return errDiskFull }
func (fullDisk) DeleteUser(context.Context, string) error                        { return errDiskFull }
func (fullDisk) CreateRefreshToken(context.Context, *gmc.RefreshToken) error     { return errDiskFull }
func (fullDisk) UpdateRelationship(context.Context, *gmc.Relationship, gmc.RelationshipChange, *gmc.Event) error {
	return errDiskFull
}
func (fullDisk) RevokeRefreshFamily(context.Context, []byte, time.Time) (string, error) {
	return "", errDiskFull
}
func (fullDisk) AddCampaignUsage(context.Context, string, string, gmc.Usage) (gmc.Usage, error) {
	return gmc.Usage{}, errDiskFull
}

// TestRefusedWritesAreReportedNotAnnounced: when the database refuses a
// write, the use case returns the database's error (not a refusal of the
// caller's input, nor "not found"), announces no change to the live
// session, and nothing is written. Counting usage is the exception: it is
// logged, so that an accounting failure does not stop the table.
func TestRefusedWritesAreReportedNotAnnounced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	gm, cid := tb.gm.ID, tb.campaign.ID
	later := ok(tb.svc.CreateSession(ctx, gm, cid, service.SessionParams{Title: "Later"}))(t)
	plot := ok(tb.svc.CreatePlot(ctx, gm, cid, service.PlotParams{Title: "The funeral", Visibility: gmc.VisiblePlayers}))(t)
	hint := ok(tb.svc.CreateForeshadowing(ctx, gm, plot.ID, service.ForeshadowingParams{Description: "The coffin is too light"}))(t)
	loc := ok(tb.svc.CreateLocation(ctx, gm, cid, service.LocationParams{Name: "Village of Barovia", LocationType: "village", Visibility: gmc.VisiblePlayers}))(t)
	pair := ok(tb.svc.Login(ctx, service.LoginParams{Email: "player@example.com", Password: "correct horse battery"}))(t)
	ok(tb.svc.StartSession(ctx, gm, tb.session.ID))(t)

	liveTable, notices := newNotices(t, tb.st)
	notices.sessionID = tb.session.ID
	svc, err := service.New(service.Config{Store: fullDisk{tb.st}, SecretKey: bytes.Repeat([]byte("k"), 32), Live: liveTable,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	// A write the full disk does not refuse is announced: the notices
	// below would be heard.
	vis := gmc.VisiblePlayers
	ok(svc.CreateLocation(ctx, gm, cid, service.LocationParams{Name: "Tser Pool", LocationType: "camp", Visibility: vis}))(t)
	if got := notices.take(); len(got) != 1 {
		t.Fatalf("notices of a committed write = %v, want one", got)
	}
	before := latestEvent(t, tb.st, cid)

	name, desc := "Renamed", "Changed"
	writes := map[string]func() error{
		"create campaign": func() error {
			_, err := svc.CreateCampaign(ctx, gm, service.CampaignParams{Name: "Another"})
			return err
		},
		"create session": func() error {
			_, err := svc.CreateSession(ctx, gm, cid, service.SessionParams{Title: "Next"})
			return err
		},
		"delete session": func() error { return svc.DeleteSession(ctx, gm, later.ID) },
		"update character": func() error {
			_, err := svc.UpdateCharacter(ctx, gm, tb.pc.ID, service.CharacterUpdate{Name: &name})
			return err
		},
		"delete character": func() error { return svc.DeleteCharacter(ctx, gm, tb.npc.ID) },
		"create hint": func() error {
			_, err := svc.CreateForeshadowing(ctx, gm, plot.ID, service.ForeshadowingParams{Description: "A raven"})
			return err
		},
		"update hint": func() error {
			_, err := svc.UpdateForeshadowing(ctx, gm, hint.ID, service.ForeshadowingUpdate{Description: &desc})
			return err
		},
		"delete hint": func() error { return svc.DeleteForeshadowing(ctx, gm, hint.ID, 0) },
		"create invite": func() error {
			_, err := svc.CreateInvite(ctx, gm, cid, service.InviteParams{})
			return err
		},
		"update location": func() error {
			_, err := svc.UpdateLocation(ctx, gm, loc.ID, service.LocationUpdate{Name: &name})
			return err
		},
		"voice consent": func() error { _, err := svc.SetVoiceConsent(ctx, tb.player.ID, cid, true); return err },
		"create plot": func() error {
			_, err := svc.CreatePlot(ctx, gm, cid, service.PlotParams{Title: "Escape"})
			return err
		},
		"update plot": func() error { _, err := svc.UpdatePlot(ctx, gm, plot.ID, service.PlotUpdate{Title: &name}); return err },
		"delete plot": func() error { return svc.DeletePlot(ctx, gm, plot.ID, 0) },
		"update relationship": func() error {
			_, err := svc.UpdateRelationship(ctx, gm, tb.relationship.ID, service.RelationshipUpdate{Description: &desc})
			return err
		},
		"delete relationship": func() error { return svc.DeleteRelationship(ctx, gm, tb.relationship.ID) },
		"rename account": func() error {
			_, _, err := svc.UpdateMe(ctx, tb.player.ID, service.UserUpdate{DisplayName: &name})
			return err
		},
		"delete account": func() error { return svc.DeleteMe(ctx, tb.player.ID) },
		"log in": func() error {
			_, err := svc.Login(ctx, service.LoginParams{Email: "player@example.com", Password: "correct horse battery"})
			return err
		},
		"log out": func() error { return svc.Logout(ctx, pair.RefreshToken) },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, errDiskFull) {
			t.Errorf("%s: error = %v, want the database's", name, err)
		}
	}
	if got := notices.take(); len(got) != 0 {
		t.Errorf("refused writes announced %v", got)
	}
	if latestEvent(t, tb.st, cid) != before {
		t.Error("a refused write left an audit event")
	}
	if c := ok(tb.svc.Character(ctx, gm, tb.pc.ID))(t); c.Name != tb.pc.Name || c.Version != tb.pc.Version {
		t.Errorf("PC after a refused rename = %q v%d", c.Name, c.Version)
	}
	// The refresh token still works: logging out failed.
	ok(tb.svc.Refresh(ctx, pair.RefreshToken))(t)

	// Usage that cannot be counted does not stop the table.
	if err := svc.ChargeAudio(ctx, cid, time.Minute); err != nil {
		t.Errorf("ChargeAudio with the database refusing = %v, want nil", err)
	}
}
