package service_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// richTable adds to the table's campaign what an export can hold beyond
// it: sessions 2 and 3 with 2 deleted (a gap in the numbers), an
// achievement, a location, two plot threads one depending on the other,
// and a foreshadowing.
func richTable(t *testing.T, tb *table) {
	t.Helper()
	ctx := context.Background()
	second := ok(tb.svc.CreateSession(ctx, tb.gm.ID, tb.campaign.ID, service.SessionParams{Title: "Deleted"}))(t)
	ok(tb.svc.CreateSession(ctx, tb.gm.ID, tb.campaign.ID, service.SessionParams{Title: "Vallaki"}))(t)
	if err := tb.svc.DeleteSession(ctx, tb.gm.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	ok(tb.svc.AwardAchievement(ctx, tb.gm.ID, tb.pc.ID, service.AchievementParams{Title: "First night", SessionID: &tb.session.ID}))(t)
	ok(tb.svc.CreateLocation(ctx, tb.gm.ID, tb.campaign.ID, service.LocationParams{Name: "Village of Barovia"}))(t)
	sword := ok(tb.svc.CreatePlot(ctx, tb.gm.ID, tb.campaign.ID, service.PlotParams{Title: "The Sunsword"}))(t)
	strahd := ok(tb.svc.CreatePlot(ctx, tb.gm.ID, tb.campaign.ID, service.PlotParams{Title: "Defeat Strahd"}))(t)
	ok(tb.svc.AddPlotDependency(ctx, tb.gm.ID, strahd.ID, sword.ID))(t)
	ok(tb.svc.CreateForeshadowing(ctx, tb.gm.ID, sword.ID, service.ForeshadowingParams{Description: "A glint in the crypt"}))(t)
}

// TestImportKeepsSessionNumbersAndSkipsMembers: an imported campaign's
// sessions keep their numbers across a deleted one, and members the
// bundle names twice, or who have no account here, are skipped.
func TestImportKeepsSessionNumbersAndSkipsMembers(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			richTable(t, tb)
			b := ok(tb.svc.ExportCampaign(ctx, tb.gm.ID, tb.campaign.ID))(t)
			var numbers []int
			for _, s := range b.Sessions {
				numbers = append(numbers, s.Number)
			}
			slices.Sort(numbers)
			if diff := cmp.Diff([]int{1, 3}, numbers); diff != "" {
				t.Fatalf("exported session numbers (-want +got):\n%s", diff)
			}
			player := b.Members[slices.IndexFunc(b.Members, func(m gmc.BundleMember) bool { return m.Role == gmc.RolePlayer })]
			b.Members = append(b.Members, player, gmc.BundleMember{Email: "nobody@example.com", DisplayName: "Nobody", Role: gmc.RoleObserver})

			im := ok(tb.svc.ImportCampaign(ctx, tb.gm.ID, b))(t)
			if diff := cmp.Diff([]string{"player@example.com", "nobody@example.com"}, im.SkippedMembers); diff != "" {
				t.Errorf("skipped members (-want +got):\n%s", diff)
			}
			if len(im.Members) != 1 || im.Members[0].Email != "player@example.com" {
				t.Errorf("members added = %+v, want the player once", im.Members)
			}
			sessions := ok2(tb.svc.Sessions(ctx, tb.gm.ID, service.SessionQuery{CampaignID: im.Campaign.ID}))(t)
			var got []string
			for _, s := range sessions {
				got = append(got, s.Title)
				if s.Number == 2 {
					t.Errorf("the imported campaign has a session 2 (%q); the stand-in for the gap must go", s.Title)
				}
			}
			again := ok(tb.svc.ExportCampaign(ctx, tb.gm.ID, im.Campaign.ID))(t)
			numbers = numbers[:0]
			for _, s := range again.Sessions {
				numbers = append(numbers, s.Number)
			}
			slices.Sort(numbers)
			if diff := cmp.Diff([]int{1, 3}, numbers); diff != "" {
				t.Errorf("imported session numbers (-want +got):\n%s (titles %v)", diff, got)
			}
			if len(again.Foreshadowing) != 1 || len(again.Dependencies) != 1 || len(again.Achievements) != 1 {
				t.Errorf("imported campaign has %d foreshadowings, %d dependencies, %d achievements; want 1 each",
					len(again.Foreshadowing), len(again.Dependencies), len(again.Achievements))
			}
		})
	}
}

// TestBundleWhenTheDatabaseFails breaks each read of an export and each
// write of an import in turn: the call fails with the database's error,
// and a failed import leaves no campaign.
func TestBundleWhenTheDatabaseFails(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			bs := newBrokenStore(be.open(t))
			tb := newTable(t, bs)
			richTable(t, tb)
			b := ok(tb.svc.ExportCampaign(ctx, tb.gm.ID, tb.campaign.ID))(t)
			for _, step := range []string{"Campaign", "Members", "Sessions", "Characters", "CampaignAchievements", "CampaignRelationships",
				"Locations", "Plots", "Foreshadowings", "CampaignPlotDependencies", "Keywords"} {
				bs.set(step)
				_, err := tb.svc.ExportCampaign(ctx, tb.gm.ID, tb.campaign.ID)
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: ExportCampaign = %v, want the failure", step, err)
				}
			}
			before := len(ok2(tb.svc.Campaigns(ctx, tb.gm.ID, gmc.Page{}))(t))
			for _, step := range []string{"User", "UserByEmail", "AddMember", "CreateSession", "DeleteSession", "CreateAchievement",
				"CreateLocation", "CreatePlot", "AddPlotDependency", "CreateForeshadowing", "CreateKeyword"} {
				bs.set(step)
				_, err := tb.svc.ImportCampaign(ctx, tb.gm.ID, b)
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: ImportCampaign = %v, want the failure", step, err)
				}
			}
			if after := len(ok2(tb.svc.Campaigns(ctx, tb.gm.ID, gmc.Page{}))(t)); after != before {
				t.Errorf("failed imports made %d campaigns", after-before)
			}
			// A big-campaign check whose read fails fails the request.
			bs.set("Sessions")
			q := newMemJobs()
			dir := t.TempDir()
			blobs := mustDir(t, dir)
			_, err := serviceOver(t, bs, blobs, q).ExportCampaignJob(ctx, tb.gm.ID, tb.campaign.ID, "json", false)
			bs.set("")
			if !errors.Is(err, errBroken) {
				t.Errorf("ExportCampaignJob with its size check failing = %v, want the failure", err)
			}
			if len(q.kinds()) != 0 {
				t.Errorf("jobs queued by a failed request: %v", q.kinds())
			}
		})
	}
}
