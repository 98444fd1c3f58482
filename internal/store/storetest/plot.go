package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// mustCreatePlot stores an active thread visible to players; edit changes
// it before it is stored.
func mustCreatePlot(t testing.TB, s store.Store, c *gmc.Campaign, title string, edit ...func(*gmc.PlotThread)) *gmc.PlotThread {
	t.Helper()
	ts := now()
	p := &gmc.PlotThread{ID: newID(t), CampaignID: c.ID, Title: title, Status: gmc.PlotActive, Visibility: gmc.VisiblePlayers, CreatedAt: ts, UpdatedAt: ts}
	for _, e := range edit {
		e(p)
	}
	p.Normalize()
	if err := s.CreatePlot(context.Background(), p, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "plot", p.ID, p)); err != nil {
		t.Fatalf("CreatePlot(%s) = %v", title, err)
	}
	return p
}

func gmOnlyPlot(p *gmc.PlotThread) { p.Visibility = gmc.VisibleGM }

func withPlotStatus(status gmc.PlotStatus) func(*gmc.PlotThread) {
	return func(p *gmc.PlotThread) { p.Status = status }
}

// playSession records one more played (ended) session of c.
func playSession(t testing.TB, s store.Store, c *gmc.Campaign) *gmc.GameSession {
	t.Helper()
	gs := mustCreateSession(t, s, c, "played")
	gs.Status, gs.UpdatedAt = gmc.SessionEnded, now()
	if err := s.UpdateSession(context.Background(), gs, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "session", gs.ID, nil)); err != nil {
		t.Fatalf("UpdateSession(ended) = %v", err)
	}
	return gs
}

func plotTitles(ps []*gmc.PlotThread) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Title
	}
	return out
}

func refTitles(rs []gmc.PlotRef) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Title
	}
	return out
}

func testPlot(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (store.Store, *gmc.Campaign) {
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		return s, mustCreateCampaign(t, s, gm, "C")
	}
	t.Run("CreateAndGet", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		npc := mustCreateCharacter(t, s, c, "Strahd")
		secret := mustCreateCharacter(t, s, c, "Secret", hidden)
		town := mustCreateLocation(t, s, c, nil, "Barovia")
		crypt := mustCreateLocation(t, s, c, nil, "Crypt", gmOnly)
		below := mustCreateLocation(t, s, c, crypt, "Below the crypt")
		done := now()
		p := mustCreatePlot(t, s, c, "Stop the vampire", func(p *gmc.PlotThread) {
			p.Summary, p.Progress = "He must fall.", 40
			p.Milestones = []gmc.Milestone{{ID: newID(t), Title: "Find the sword", Done: true, DoneAt: &done}, {ID: newID(t), Title: "Confront him"}}
			p.CharacterIDs = []string{secret.ID, npc.ID}
			p.LocationIDs = []string{below.ID, town.ID, crypt.ID}
		})
		got, err := s.Plot(ctx, p.ID, false)
		wantErr(t, "Plot", err, nil)
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("Plot mismatch (-want +got):\n%s", diff)
		}
		if p.Version != 1 || got.Milestones[1].Order != 2 {
			t.Errorf("version %d, milestone order %d", p.Version, got.Milestones[1].Order)
		}
		players, err := s.Plot(ctx, p.ID, true)
		wantErr(t, "Plot(forPlayers)", err, nil)
		wantNames(t, "characters players see", []string{npc.ID}, players.CharacterIDs)
		wantNames(t, "locations players see", []string{town.ID}, players.LocationIDs)
		_, err = s.Plot(ctx, newID(t), false)
		wantErr(t, "Plot(unknown)", err, gmc.ErrNotFound)
	})
	t.Run("LinksStayInTheCampaign", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		other := mustCreateCampaign(t, s, mustCreateUser(t, s, "o@example.com"), "Other")
		foreignNPC := mustCreateCharacter(t, s, other, "Stranger")
		foreignPlace := mustCreateLocation(t, s, other, nil, "Far away")
		for _, edit := range []func(*gmc.PlotThread){
			func(p *gmc.PlotThread) { p.CharacterIDs = []string{foreignNPC.ID} },
			func(p *gmc.PlotThread) { p.LocationIDs = []string{foreignPlace.ID} },
			func(p *gmc.PlotThread) { p.LocationIDs = []string{newID(t)} },
		} {
			p := &gmc.PlotThread{ID: newID(t), CampaignID: c.ID, Title: "T", Status: gmc.PlotHook, Visibility: gmc.VisiblePlayers, CreatedAt: now(), UpdatedAt: now()}
			edit(p)
			p.Normalize()
			wantErr(t, "CreatePlot(foreign link)", s.CreatePlot(ctx, p, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "plot", p.ID, nil)), gmc.ErrNotFound)
		}
		if list, _, _ := s.Plots(ctx, store.PlotFilter{CampaignID: c.ID}); len(list) != 0 {
			t.Errorf("plots after failed creates = %d", len(list))
		}
		if events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "plot"}); len(events) != 0 {
			t.Errorf("audit events after failed creates = %d", len(events))
		}
	})
	t.Run("ListFilters", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		npc := mustCreateCharacter(t, s, c, "NPC")
		secret := mustCreateCharacter(t, s, c, "Secret", hidden)
		place := mustCreateLocation(t, s, c, nil, "Place")
		mustCreatePlot(t, s, c, "Hook", withPlotStatus(gmc.PlotHook), func(p *gmc.PlotThread) { p.CharacterIDs = []string{npc.ID, secret.ID} })
		mustCreatePlot(t, s, c, "Active", func(p *gmc.PlotThread) { p.LocationIDs = []string{place.ID} })
		mustCreatePlot(t, s, c, "Hidden hook", withPlotStatus(gmc.PlotHook), gmOnlyPlot, func(p *gmc.PlotThread) { p.CharacterIDs = []string{npc.ID} })
		mustCreatePlot(t, s, c, "Secret's", func(p *gmc.PlotThread) { p.CharacterIDs = []string{secret.ID} })
		mustCreatePlot(t, s, mustCreateCampaign(t, s, mustCreateUser(t, s, "o@example.com"), "Other"), "Elsewhere")
		for _, tc := range []struct {
			name string
			f    store.PlotFilter
			want []string
		}{
			{"all", store.PlotFilter{}, []string{"Hook", "Active", "Hidden hook", "Secret's"}},
			{"for players", store.PlotFilter{ForPlayers: true}, []string{"Hook", "Active", "Secret's"}},
			{"hooks", store.PlotFilter{Status: gmc.PlotHook}, []string{"Hook", "Hidden hook"}},
			{"hooks for players", store.PlotFilter{Status: gmc.PlotHook, ForPlayers: true}, []string{"Hook"}},
			{"by character", store.PlotFilter{CharacterID: npc.ID}, []string{"Hook", "Hidden hook"}},
			{"by hidden character", store.PlotFilter{CharacterID: secret.ID}, []string{"Hook", "Secret's"}},
			{"by hidden character for players", store.PlotFilter{CharacterID: secret.ID, ForPlayers: true}, nil},
			{"by location", store.PlotFilter{LocationID: place.ID}, []string{"Active"}},
			{"by unknown location", store.PlotFilter{LocationID: newID(t)}, nil},
		} {
			tc.f.CampaignID = c.ID
			var got []string
			for pages := 0; ; pages++ {
				tc.f.Page.Limit = 1
				list, next, err := s.Plots(ctx, tc.f)
				wantErr(t, "Plots("+tc.name+")", err, nil)
				got = append(got, plotTitles(list)...)
				if next == "" || pages > 10 {
					break
				}
				tc.f.Page.Cursor = next
			}
			wantNames(t, tc.name, tc.want, got)
		}
		list, _, _ := s.Plots(ctx, store.PlotFilter{CampaignID: c.ID, Status: gmc.PlotHook, ForPlayers: true})
		if len(list) != 1 || len(list[0].CharacterIDs) != 1 || list[0].CharacterIDs[0] != npc.ID {
			t.Errorf("listed hook for players = %+v, want its link to the visible NPC only", list)
		}
	})
	t.Run("UpdateVersioned", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		a, b := mustCreateCharacter(t, s, c, "A"), mustCreateCharacter(t, s, c, "B")
		gs := playSession(t, s, c)
		p := mustCreatePlot(t, s, c, "Old", func(p *gmc.PlotThread) { p.CharacterIDs = []string{a.ID} })
		stale := *p
		p.Title, p.Status, p.Progress, p.CharacterIDs = "New", gmc.PlotStalled, 55, []string{b.ID}
		p.Milestones = []gmc.Milestone{{ID: newID(t), Title: "M", Order: 1}}
		p.LastTouchedSessionID, p.LastTouchedSessionNumber, p.UpdatedAt = &gs.ID, gs.Number, now()
		wantErr(t, "UpdatePlot", s.UpdatePlot(ctx, p, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "plot", p.ID, p)), nil)
		got, _ := s.Plot(ctx, p.ID, false)
		if diff := cmp.Diff(p, got); diff != "" || got.Version != 2 {
			t.Errorf("after update (version %d) (-want +got):\n%s", got.Version, diff)
		}
		wantCode(t, "UpdatePlot(stale)", s.UpdatePlot(ctx, &stale, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "plot", p.ID, nil)), "stale_version")
		if got, _ := s.Plot(ctx, p.ID, false); len(got.CharacterIDs) != 1 || got.CharacterIDs[0] != b.ID {
			t.Errorf("links after stale write = %v", got.CharacterIDs)
		}
		missing := *p
		missing.ID = newID(t)
		wantErr(t, "UpdatePlot(unknown)", s.UpdatePlot(ctx, &missing, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "plot", missing.ID, nil)), gmc.ErrNotFound)
		if events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "plot"}); len(events) != 2 {
			t.Errorf("audit events = %d, want 2", len(events))
		}
	})
	t.Run("LinkTargetsDeleted", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		npc := mustCreateCharacter(t, s, c, "NPC")
		root := mustCreateLocation(t, s, c, nil, "Root")
		leaf := mustCreateLocation(t, s, c, root, "Leaf")
		p := mustCreatePlot(t, s, c, "P", func(p *gmc.PlotThread) { p.CharacterIDs, p.LocationIDs = []string{npc.ID}, []string{leaf.ID} })
		wantErr(t, "DeleteCharacter", s.DeleteCharacter(ctx, npc.ID, newEvent(t, c.ID, c.CreatedBy, gmc.ActionDelete, "character", npc.ID, nil)), nil)
		wantErr(t, "DeleteLocation", s.DeleteLocation(ctx, root, true, newEvent(t, c.ID, c.CreatedBy, gmc.ActionDelete, "location", root.ID, nil)), nil)
		got, _ := s.Plot(ctx, p.ID, false)
		if len(got.CharacterIDs)+len(got.LocationIDs) != 0 || got.Version != 1 {
			t.Errorf("plot after its links' targets went: %+v", got)
		}
	})
	t.Run("BlockedBy", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		b := mustCreatePlot(t, s, c, "B active")
		r := mustCreatePlot(t, s, c, "R resolved", withPlotStatus(gmc.PlotResolved))
		x := mustCreatePlot(t, s, c, "X abandoned", withPlotStatus(gmc.PlotAbandoned))
		h := mustCreatePlot(t, s, c, "H hidden hook", withPlotStatus(gmc.PlotHook), gmOnlyPlot)
		a := mustCreatePlot(t, s, c, "A")
		for _, up := range []*gmc.PlotThread{b, r, x, h} {
			mustDepend(t, s, a, up)
		}
		got, _ := s.Plot(ctx, a.ID, false)
		wantNames(t, "blocked_by", []string{"B active", "H hidden hook"}, refTitles(got.BlockedBy))
		got, _ = s.Plot(ctx, a.ID, true)
		wantNames(t, "blocked_by for players", []string{"B active"}, refTitles(got.BlockedBy))
		list, _, _ := s.Plots(ctx, store.PlotFilter{CampaignID: c.ID})
		if last := list[len(list)-1]; last.ID != a.ID || len(last.BlockedBy) != 2 || last.BlockedBy[0].Status != gmc.PlotActive {
			t.Errorf("listed A = %+v, want it blocked by B and H", last)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		up := mustCreatePlot(t, s, c, "Up")
		p := mustCreatePlot(t, s, c, "P")
		mustDepend(t, s, p, up)
		mustPlant(t, s, p, "a hint", nil)
		stale := *p
		stale.Version = 9
		wantCode(t, "DeletePlot(stale)", s.DeletePlot(ctx, &stale, newEvent(t, c.ID, c.CreatedBy, gmc.ActionDelete, "plot", p.ID, nil)), "stale_version")
		wantErr(t, "DeletePlot", s.DeletePlot(ctx, p, newEvent(t, c.ID, c.CreatedBy, gmc.ActionDelete, "plot", p.ID, nil)), nil)
		_, err := s.Plot(ctx, p.ID, false)
		wantErr(t, "Plot(deleted)", err, gmc.ErrNotFound)
		deps, _ := s.PlotDependencies(ctx, up.ID, false)
		if len(deps.Downstream) != 0 {
			t.Errorf("downstream of Up after delete = %v", deps.Downstream)
		}
		if fs, _ := s.Foreshadowings(ctx, p.ID, false); len(fs) != 0 {
			t.Errorf("foreshadowing of a deleted plot = %d", len(fs))
		}
		wantErr(t, "DeletePlot(again)", s.DeletePlot(ctx, p, newEvent(t, c.ID, c.CreatedBy, gmc.ActionDelete, "plot", p.ID, nil)), gmc.ErrNotFound)
	})
	t.Run("GoWithTheCampaign", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		root := mustCreateLocation(t, s, c, nil, "Root")
		leaf := mustCreateLocation(t, s, c, root, "Leaf", gmOnly)
		npc := mustCreateCharacter(t, s, c, "NPC")
		up := mustCreatePlot(t, s, c, "Up")
		p := mustCreatePlot(t, s, c, "P", func(p *gmc.PlotThread) { p.CharacterIDs, p.LocationIDs = []string{npc.ID}, []string{leaf.ID} })
		mustDepend(t, s, p, up)
		f := mustPlant(t, s, p, "hint", playSession(t, s, c))
		wantErr(t, "DeleteCampaign", s.DeleteCampaign(ctx, c.ID), nil)
		_, err := s.Location(ctx, leaf.ID)
		wantErr(t, "Location(after campaign delete)", err, gmc.ErrNotFound)
		_, err = s.Plot(ctx, p.ID, false)
		wantErr(t, "Plot(after campaign delete)", err, gmc.ErrNotFound)
		_, err = s.Foreshadowing(ctx, f.ID)
		wantErr(t, "Foreshadowing(after campaign delete)", err, gmc.ErrNotFound)
	})
}

// testMemberPlots checks MemberPlots: a GM sees every thread and link,
// anyone else what players may see, and a change of membership shows on
// the very next read.
func testMemberPlots(t *testing.T, open OpenFunc) {
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	player := mustCreateUser(t, s, "p@example.com")
	stranger := mustCreateUser(t, s, "s@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	secretsOnly := mustCreateCampaign(t, s, gm, "Secrets only")
	mustAddMember(t, s, c, player, gmc.RolePlayer)
	mustAddMember(t, s, secretsOnly, player, gmc.RolePlayer)
	ireena := mustCreateCharacter(t, s, c, "Ireena")
	rahadin := mustCreateCharacter(t, s, c, "Rahadin", hidden)
	mustCreatePlot(t, s, c, "Escort", func(p *gmc.PlotThread) { p.CharacterIDs = []string{ireena.ID, rahadin.ID} })
	mustCreatePlot(t, s, c, "Betrayal", gmOnlyPlot, func(p *gmc.PlotThread) { p.CharacterIDs = []string{rahadin.ID} })
	mustCreatePlot(t, s, c, "Hook", withPlotStatus(gmc.PlotHook))
	mustCreatePlot(t, s, secretsOnly, "Hidden", gmOnlyPlot)
	all := store.PlotFilter{CampaignID: c.ID}
	// Titles carry the links each caller sees.
	gmView := []string{"Escort " + ireena.Name + " " + rahadin.Name, "Betrayal " + rahadin.Name, "Hook"}
	playerView := []string{"Escort " + ireena.Name, "Hook"}
	runMemberReads(t, "MemberPlots", []memberRead[store.PlotFilter]{
		{name: "gm", user: gm.ID, f: all, want: gmView, role: gmc.RoleGM},
		{name: "ForPlayers unused for a gm", user: gm.ID, f: store.PlotFilter{CampaignID: c.ID, ForPlayers: true}, want: gmView, role: gmc.RoleGM},
		{name: "player", user: player.ID, f: all, want: playerView, role: gmc.RolePlayer},
		{name: "status", user: player.ID, f: store.PlotFilter{CampaignID: c.ID, Status: gmc.PlotHook}, want: []string{"Hook"}, role: gmc.RolePlayer},
		{name: "gm, hidden character's threads", user: gm.ID, f: store.PlotFilter{CampaignID: c.ID, CharacterID: rahadin.ID},
			want: []string{"Escort " + ireena.Name + " " + rahadin.Name, "Betrayal " + rahadin.Name}, role: gmc.RoleGM},
		{name: "player, hidden character's threads", user: player.ID, f: store.PlotFilter{CampaignID: c.ID, CharacterID: rahadin.ID}, role: gmc.RolePlayer},
		{name: "player, only gm-only threads", user: player.ID, f: store.PlotFilter{CampaignID: secretsOnly.ID}, role: gmc.RolePlayer},
		{name: "gm, only gm-only threads", user: gm.ID, f: store.PlotFilter{CampaignID: secretsOnly.ID}, want: []string{"Hidden"}, role: gmc.RoleGM},
		{name: "stranger", user: stranger.ID, f: all, err: gmc.ErrNotFound},
		{name: "stranger, no match", user: stranger.ID, f: store.PlotFilter{CampaignID: c.ID, Status: gmc.PlotResolved}, err: gmc.ErrNotFound},
		{name: "stranger, bad character", user: stranger.ID, f: store.PlotFilter{CampaignID: c.ID, CharacterID: "nope"}, err: gmc.ErrNotFound},
		{name: "unknown campaign", user: gm.ID, f: store.PlotFilter{CampaignID: newID(t)}, err: gmc.ErrNotFound},
		{name: "not an id", user: gm.ID, f: store.PlotFilter{CampaignID: "nope"}, err: gmc.ErrNotFound},
		{name: "promoted", change: setRole(t, s, c, player, gmc.RoleGM), user: player.ID, f: all, want: gmView, role: gmc.RoleGM},
		{name: "downgraded", change: setRole(t, s, c, player, gmc.RoleObserver), user: player.ID, f: all, want: playerView, role: gmc.RoleObserver},
		{name: "removed", change: setRole(t, s, c, player, ""), user: player.ID, f: all, err: gmc.ErrNotFound},
	}, func(user string, f store.PlotFilter) ([]string, gmc.Role, error) {
		list, _, role, err := s.MemberPlots(context.Background(), user, f)
		names := map[string]string{ireena.ID: ireena.Name, rahadin.ID: rahadin.Name}
		var out []string
		for _, p := range list {
			line := p.Title
			for _, id := range p.CharacterIDs {
				line += " " + names[id]
			}
			out = append(out, line)
		}
		return out, role, err
	})
}
