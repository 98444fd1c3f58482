package storetest

import (
	"context"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
)

// testBundle covers the whole-campaign reads and AddMember that export and
// import use.
func testBundle(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("AddMember", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm, player := mustCreateUser(t, s, "gm@example.com"), mustCreateUser(t, s, "player@example.com")
		c := mustCreateCampaign(t, s, gm, "Imported")
		m := &gmc.Member{CampaignID: c.ID, UserID: player.ID, Role: gmc.RolePlayer, JoinedAt: now()}
		wantErr(t, "AddMember", s.AddMember(ctx, m, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "member", player.ID, m)), nil)
		got, err := s.Member(ctx, c.ID, player.ID)
		if err != nil || got.Role != gmc.RolePlayer {
			t.Fatalf("Member after AddMember = %+v, %v; want a player", got, err)
		}
		wantErr(t, "AddMember again", s.AddMember(ctx, m, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "member", player.ID, m)), gmc.ErrConflict)
		stranger := &gmc.Member{CampaignID: c.ID, UserID: newID(t), Role: gmc.RolePlayer, JoinedAt: now()}
		wantErr(t, "AddMember unknown user", s.AddMember(ctx, stranger, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "member", stranger.UserID, nil)), gmc.ErrNotFound)
	})
	t.Run("CampaignReads", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c, other := mustCreateCampaign(t, s, gm, "Mine"), mustCreateCampaign(t, s, gm, "Other")
		a, b := mustCreateCharacter(t, s, c, "Ada"), mustCreateCharacter(t, s, c, "Bo", func(ch *gmc.Character) { ch.Visibility = gmc.VisibleGM })
		x, y := mustCreateCharacter(t, s, other, "X"), mustCreateCharacter(t, s, other, "Y")
		mutual := mustRelate(t, s, a, b, gmc.KindAlly, true)
		mustRelate(t, s, b, a, gmc.KindRival, false)
		mustRelate(t, s, x, y, gmc.KindEnemy, false)
		mustAward(t, s, a, "First blood", nil)
		mustAward(t, s, x, "Elsewhere", nil)
		p1, p2, p3 := mustCreatePlot(t, s, c, "One"), mustCreatePlot(t, s, c, "Two"), mustCreatePlot(t, s, c, "Three")
		mustDepend(t, s, p2, p1)
		mustDepend(t, s, p3, p2)
		mustDepend(t, s, mustCreatePlot(t, s, other, "B"), mustCreatePlot(t, s, other, "A"))

		rels, err := s.CampaignRelationships(ctx, c.ID)
		if err != nil || len(rels) != 3 {
			t.Fatalf("CampaignRelationships = %d, %v; want the 3 edges of the campaign", len(rels), err)
		}
		for i, r := range rels {
			if i > 0 && rels[i-1].ID >= r.ID {
				t.Errorf("CampaignRelationships not in id order at %d", i)
			}
			if len(r.History) == 0 {
				t.Errorf("relationship %s has no history", r.ID)
			}
		}
		if rels[0].ID != mutual.ID && rels[1].ID != mutual.ID {
			t.Errorf("CampaignRelationships lacks the mutual edge %s", mutual.ID)
		}
		achs, err := s.CampaignAchievements(ctx, c.ID)
		if err != nil || len(achs) != 1 || achs[0].Title != "First blood" {
			t.Fatalf("CampaignAchievements = %+v, %v; want First blood only", achs, err)
		}
		deps, err := s.CampaignPlotDependencies(ctx, c.ID)
		if err != nil || len(deps) != 2 {
			t.Fatalf("CampaignPlotDependencies = %+v, %v; want 2 edges", deps, err)
		}
		for _, d := range deps {
			if d.CampaignID != c.ID || !(d.PlotID == p2.ID && d.DependsOnID == p1.ID || d.PlotID == p3.ID && d.DependsOnID == p2.ID) {
				t.Errorf("unexpected dependency %+v", d)
			}
		}
		if deps[0].PlotID > deps[1].PlotID {
			t.Errorf("CampaignPlotDependencies not ordered by plot id")
		}
	})
}
