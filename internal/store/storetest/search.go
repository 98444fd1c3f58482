package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

// searchFor runs a search through the store and returns the results as
// "name/match" (or "name" when withMatch is false), best first.
func searchFor(t testing.TB, s store.Store, req search.Request) []string {
	t.Helper()
	res, err := search.Run(context.Background(), s, req)
	if err != nil {
		t.Fatalf("search %q = %v", req.Query, err)
	}
	out := []string{}
	for i, it := range res.Items {
		if i > 0 && it.Score > res.Items[i-1].Score {
			t.Errorf("search %q: scores rise at %d: %+v", req.Query, i, res.Items)
		}
		out = append(out, it.Name+"/"+string(it.Match))
	}
	return out
}

func campaignSearch(c *gmc.Campaign, gm bool, q string) search.Request {
	return search.Request{Filter: search.Filter{Scope: c.ID, GM: gm}, Query: q}
}

func wantResults(t testing.TB, s store.Store, req search.Request, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if diff := cmp.Diff(want, searchFor(t, s, req)); diff != "" {
		t.Errorf("search %q (gm %v) (-want +got):\n%s", req.Query, req.GM, diff)
	}
}

func testSearch(t *testing.T, open OpenFunc) {
	t.Run("RankingOrder", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		c := mustCreateCampaign(t, s, mustCreateUser(t, s, "gm@example.com"), "C")
		for _, name := range []string{"Gorrick Stonebeard", "Gorlan Stoneheart", "Xylandra Voss", "Phaedra", "Thálindra Voss", "Vethrax the Unbound"} {
			mustCreateCharacter(t, s, c, name)
		}
		mustCreateCharacter(t, s, c, "Gorrick", func(ch *gmc.Character) { ch.Aliases = []string{"Old Gorrick"} })
		for _, title := range []string{"Caer Dathyl", "Goblin Arrows", "Cragmaw Hideout"} {
			mustCreateSession(t, s, c, title)
		}
		tests := []struct {
			query string
			want  []string
		}{
			{"gorrick", []string{"Gorrick/exact", "Gorrick Stonebeard/prefix"}},
			{"gorrick stonebeard", []string{"Gorrick Stonebeard/exact", "Gorrick/fuzzy"}},
			{"gorik stone beard", []string{"Gorrick Stonebeard/fuzzy"}},
			{"zylandra", []string{"Xylandra Voss/fuzzy"}},
			{"fedra", []string{"Phaedra/phonetic"}},
			{"kair dathil", []string{"Caer Dathyl/phonetic"}},
			{"thalindra", []string{"Thálindra Voss/prefix"}},
			{"voss", []string{"Xylandra Voss/prefix", "Thálindra Voss/prefix"}},
			{"vethrax unbound", []string{"Vethrax the Unbound/exact"}},
			{"session 2", []string{"Goblin Arrows/exact", "Caer Dathyl/fuzzy", "Cragmaw Hideout/fuzzy"}},
			{"go", []string{"Gorrick/prefix", "Goblin Arrows/prefix", "Gorlan Stoneheart/prefix", "Gorrick Stonebeard/prefix"}},
		}
		for _, tc := range tests {
			wantResults(t, s, campaignSearch(c, false, tc.query), tc.want...)
		}
	})
	t.Run("Reference", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		fireball := refEntry("spell", "fireball", "Fireball")
		fireball.Card.Text = "A bright streak flashes to a point you choose and blossoms into flame."
		entries := []reference.Entry{fireball, refEntry("spell", "fire-bolt", "Fire Bolt"), refEntry("magic-item", "wand-of-fireballs", "Wand of Fireballs"),
			refEntry("condition", "poisoned", "Poisoned")}
		if _, _, err := s.UpsertReferenceEntries(context.Background(), entries, now()); err != nil {
			t.Fatal(err)
		}
		ref := func(q string, kinds ...string) search.Request {
			return search.Request{Filter: search.Filter{Scope: search.ReferenceScope}, Query: q, Types: kinds}
		}
		wantResults(t, s, ref("fire ball"), "Fireball/exact", "Wand of Fireballs/prefix", "Fire Bolt/fuzzy")
		wantResults(t, s, ref("fireball", "spell"), "Fireball/exact")
		wantResults(t, s, ref("poisned"), "Poisoned/fuzzy")
		wantResults(t, s, ref("blossoms flame"), "Fireball/fulltext")
		// A changed entry is indexed again in the import's transaction.
		entries[3] = refEntry("condition", "poisoned", "Envenomed")
		if _, _, err := s.UpsertReferenceEntries(context.Background(), entries, now()); err != nil {
			t.Fatal(err)
		}
		wantResults(t, s, ref("poisoned"))
		wantResults(t, s, ref("envenomed"), "Envenomed/exact")
	})
	t.Run("Visibility", func(t *testing.T) { testSearchVisibility(t, open) })
	t.Run("LocationsAndPlots", func(t *testing.T) { testSearchLocations(t, open) })
	t.Run("Facets", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		c := mustCreateCampaign(t, s, mustCreateUser(t, s, "gm@example.com"), "C")
		mustCreateCharacter(t, s, c, "Ember", func(ch *gmc.Character) { ch.Tags = []string{"fire", "npc"} })
		mustCreateCharacter(t, s, c, "Embertooth", func(ch *gmc.Character) { ch.Tags = []string{"fire"} })
		mustCreateSession(t, s, c, "The Ember Crown")
		req := campaignSearch(c, false, "ember")
		req.Types = []string{search.TypeSession}
		res, err := search.Run(context.Background(), s, req)
		wantErr(t, "search", err, nil)
		if len(res.Items) != 1 || res.Items[0].Type != search.TypeSession {
			t.Errorf("types filter = %+v", res.Items)
		}
		if want := map[string]int{"character": 2, "session": 1}; !cmp.Equal(want, res.Facets) {
			t.Errorf("facets = %v, want %v", res.Facets, want)
		}
		req = campaignSearch(c, false, "ember")
		req.Tags = []string{"fire", "npc"}
		wantResults(t, s, req, "Ember/exact")
	})
	t.Run("Gather", func(t *testing.T) { testSearchGather(t, open) })
	t.Run("SameTransaction", func(t *testing.T) { testSearchSameTransaction(t, open) })
	t.Run("DeleteRemoves", func(t *testing.T) { testSearchDeletes(t, open) })
}

func testSearchVisibility(t *testing.T, open OpenFunc) {
	t.Parallel()
	s := open(t)
	c := mustCreateCampaign(t, s, mustCreateUser(t, s, "gm@example.com"), "C")
	mustCreateCharacter(t, s, c, "Vethrax", hidden)
	mustCreateCharacter(t, s, c, "Seraphine", func(ch *gmc.Character) {
		ch.Notes = json.RawMessage(`{"public":"A cleric of the dawn."}`)
		ch.GMNotes = json.RawMessage(`{"secret":"Sworn to Vethrax in secret."}`)
	})
	wantResults(t, s, campaignSearch(c, false, "vethrax"))
	wantResults(t, s, campaignSearch(c, true, "vethrax"), "Vethrax/exact", "Seraphine/fulltext")
	wantResults(t, s, campaignSearch(c, false, "sworn"))
	wantResults(t, s, campaignSearch(c, true, "sworn"), "Seraphine/fulltext")
	wantResults(t, s, campaignSearch(c, false, "cleric dawn"), "Seraphine/fulltext")
	// Another campaign's documents are never in scope.
	other := mustCreateCampaign(t, s, mustCreateUser(t, s, "gm2@example.com"), "D")
	wantResults(t, s, campaignSearch(other, true, "seraphine"))
}

func testSearchSameTransaction(t *testing.T, open OpenFunc) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	c := mustCreateCampaign(t, s, mustCreateUser(t, s, "gm@example.com"), "C")
	ev := func(id string) *gmc.Event {
		return newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "session", id, nil)
	}
	live, other := mustCreateSession(t, s, c, "Wyvern Hunt"), mustCreateSession(t, s, c, "Kraken Night")
	wantResults(t, s, campaignSearch(c, false, "wyvern hunt"), "Wyvern Hunt/exact")
	live.Status = gmc.SessionLive
	wantErr(t, "start", s.UpdateSession(ctx, live, ev(live.ID)), nil)

	// A write that fails leaves the index as it was: the conflicting
	// update and the stale one are rolled back with their index rows.
	changed := *other
	changed.Title, changed.Status = "Basilisk Lair", gmc.SessionLive
	wantCode(t, "second live", s.UpdateSession(ctx, &changed, ev(other.ID)), "session_live")
	stale := *live
	stale.Version, stale.Title = 1, "Basilisk Lair"
	wantCode(t, "stale", s.UpdateSession(ctx, &stale, ev(live.ID)), "stale_version")
	wantResults(t, s, campaignSearch(c, false, "basilisk lair"))

	// A write that succeeds is searchable as soon as it returns.
	other.Title = "Basilisk Lair"
	wantErr(t, "rename", s.UpdateSession(ctx, other, ev(other.ID)), nil)
	wantResults(t, s, campaignSearch(c, false, "basilisk lair"), "Basilisk Lair/exact")
	wantResults(t, s, campaignSearch(c, false, "kraken night"))

	ch := mustCreateCharacter(t, s, c, "Ilsabet")
	nobody := newID(t) // no such user: the update fails
	ch.Name, ch.OwnerID = "Rowena", &nobody
	ch.CharacterType = gmc.CharacterPC
	err := s.UpdateCharacter(ctx, ch, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "character", ch.ID, nil))
	wantErr(t, "UpdateCharacter(unknown owner)", err, gmc.ErrNotFound)
	wantResults(t, s, campaignSearch(c, false, "rowena"))
	wantResults(t, s, campaignSearch(c, false, "ilsabet"), "Ilsabet/exact")
}

func testSearchDeletes(t *testing.T, open OpenFunc) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	gs := mustCreateSession(t, s, c, "Wyvern Hunt")
	ch := mustCreateCharacter(t, s, c, "Wyvernslayer")
	wantResults(t, s, campaignSearch(c, true, "wyvern"), "Wyvern Hunt/prefix", "Wyvernslayer/prefix")
	wantErr(t, "DeleteSession", s.DeleteSession(ctx, gs.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "session", gs.ID, nil)), nil)
	wantResults(t, s, campaignSearch(c, true, "wyvern"), "Wyvernslayer/prefix")
	wantErr(t, "DeleteCharacter", s.DeleteCharacter(ctx, ch.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "character", ch.ID, nil)), nil)
	wantResults(t, s, campaignSearch(c, true, "wyvern"))

	mustCreateSession(t, s, c, "Wyvern Hunt")
	mustCreateCharacter(t, s, c, "Wyvernslayer", hidden)
	wantErr(t, "DeleteCampaign", s.DeleteCampaign(ctx, c.ID), nil)
	wantResults(t, s, campaignSearch(c, true, "wyvern"))
	wantResults(t, s, campaignSearch(c, true, "hunt"))
}

func testSearchLocations(t *testing.T, open OpenFunc) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	c := mustCreateCampaign(t, s, mustCreateUser(t, s, "gm@example.com"), "C")
	ev := func(l *gmc.Location) *gmc.Event {
		return newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "location", l.ID, nil)
	}
	coast := mustCreateLocation(t, s, c, nil, "Sword Coast")
	city := mustCreateLocation(t, s, c, coast, "Neverwinter")
	vault := mustCreateLocation(t, s, c, city, "Black Vault", gmOnly)
	mustCreateLocation(t, s, c, vault, "Dread Cellar", func(l *gmc.Location) { l.Description = "Damp stairs lead down." })

	// Below a GM-only location nothing is the players', whatever its own
	// visibility.
	wantResults(t, s, campaignSearch(c, false, "dread cellar"))
	wantResults(t, s, campaignSearch(c, false, "damp stairs"))
	wantResults(t, s, campaignSearch(c, true, "dread cellar"), "Dread Cellar/exact")
	wantContext := func(q, want string) {
		t.Helper()
		res, err := search.Run(ctx, s, campaignSearch(c, true, q))
		if err != nil || len(res.Items) == 0 || res.Items[0].Context != want {
			t.Errorf("search %q = %+v, %v; want context %q", q, res, err, want)
		}
	}
	wantContext("dread cellar", "Sword Coast › Neverwinter › Black Vault")

	// Renaming or revealing an ancestor reindexes the subtree.
	city.Name = "Nevermore"
	wantErr(t, "UpdateLocation", s.UpdateLocation(ctx, city, ev(city)), nil)
	wantContext("dread cellar", "Sword Coast › Nevermore › Black Vault")
	vault.Visibility = gmc.VisiblePlayers
	wantErr(t, "UpdateLocation", s.UpdateLocation(ctx, vault, ev(vault)), nil)
	wantResults(t, s, campaignSearch(c, false, "dread cellar"), "Dread Cellar/exact")

	// Moving below a hidden location hides the moved subtree.
	attic := mustCreateLocation(t, s, c, nil, "Secret Attic", gmOnly)
	vault.ParentID = &attic.ID
	wantErr(t, "MoveLocation", s.MoveLocation(ctx, vault, ev(vault)), nil)
	wantResults(t, s, campaignSearch(c, false, "dread cellar"))
	wantContext("dread cellar", "Secret Attic › Black Vault")

	// A cascading delete removes the whole subtree from the index.
	wantErr(t, "DeleteLocation", s.DeleteLocation(ctx, attic, true, ev(attic)), nil)
	wantResults(t, s, campaignSearch(c, true, "dread cellar"))
	wantResults(t, s, campaignSearch(c, true, "black vault"))

	plot := mustCreatePlot(t, s, c, "The Ember Crown", gmOnlyPlot, func(p *gmc.PlotThread) { p.Summary = "Magister Dray wants it." })
	wantResults(t, s, campaignSearch(c, false, "ember crown"))
	wantResults(t, s, campaignSearch(c, true, "embr crown"), "The Ember Crown/fuzzy")
	wantResults(t, s, campaignSearch(c, true, "magister dray"), "The Ember Crown/fulltext")
	plot.Visibility = gmc.VisiblePlayers
	wantErr(t, "UpdatePlot", s.UpdatePlot(ctx, plot, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "plot", plot.ID, nil)), nil)
	wantResults(t, s, campaignSearch(c, false, "ember crown"), "The Ember Crown/exact")
	wantErr(t, "DeletePlot", s.DeletePlot(ctx, plot, newEvent(t, c.ID, c.CreatedBy, gmc.ActionDelete, "plot", plot.ID, nil)), nil)
	wantResults(t, s, campaignSearch(c, true, "ember crown"))
}

// testSearchGather checks a store that gathers a search in one statement
// (search.Gatherer) against the probes run one by one, and its membership
// check against the members table.
func testSearchGather(t *testing.T, open OpenFunc) {
	t.Parallel()
	ctx := context.Background()
	s := open(t)
	g, ok := s.(search.Gatherer)
	if !ok {
		t.Skip("the store runs a search probe by probe (no search.Gatherer)")
	}
	gm, player, stranger := mustCreateUser(t, s, "gm@example.com"), mustCreateUser(t, s, "player@example.com"), mustCreateUser(t, s, "x@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	mustAddMember(t, s, c, player, gmc.RolePlayer)
	// Many names sharing keys, so that the choice of candidates is cut at
	// its bound and ties are broken by document.
	for _, first := range []string{"Gorrick", "Gorlan", "Gorric", "Gorryck", "Korrick", "Garrick", "Goric", "Gorick"} {
		for _, last := range []string{"Stonebeard", "Stoneheart", "Stonebread", "Stonbeard", "Ironhammer", "Ashgrove"} {
			mustCreateCharacter(t, s, c, first+" "+last, func(ch *gmc.Character) {
				ch.Tags = []string{strings.ToLower(last[:1])}
				if first == "Korrick" {
					ch.Visibility = gmc.VisibleGM
				}
				ch.GMNotes = json.RawMessage(`{"secret":"owes ` + first + ` a debt"}`)
			})
		}
	}
	queries := []string{"gorrick stonebeard", "gorik", "stone", "gorrick ston", "korrick", "debt", "owes gorlan", "go", "the", "gorrickstonebeard", "ashgrove gorlan"}
	for _, q := range queries {
		for _, f := range []search.Filter{{Scope: c.ID, GM: true}, {Scope: c.ID}, {Scope: c.ID, GM: true, Tags: []string{"s"}}} {
			p := search.Plan(search.Request{Filter: f, Query: q})
			if len(q)%2 == 0 {
				// A tight bound cuts through documents of equal score.
				p.MaxCandidates = 7
			}
			want, err := search.GatherEach(ctx, s, p)
			wantErr(t, "GatherEach", err, nil)
			got, err := g.Gather(ctx, p)
			wantErr(t, "Gather", err, nil)
			sortCandidates := func(cs []search.Candidate) []search.Candidate {
				cs = slices.Clone(cs)
				slices.SortFunc(cs, func(a, b search.Candidate) int { return cmpInt(a.DocID, b.DocID) })
				return cs
			}
			if diff := cmp.Diff(sortCandidates(want.Candidates), sortCandidates(got.Candidates)); diff != "" || !got.Allowed || got.GM != f.GM {
				t.Errorf("Gather(%q, gm %v, tags %v): allowed %v gm %v, candidates (-probe by probe +gather):\n%s", q, f.GM, f.Tags, got.Allowed, got.GM, diff)
			}
		}
	}
	// Membership decides, and the role sets GM; Filter.GM is ignored.
	for _, tc := range []struct {
		user          string
		allowed, asGM bool
	}{{gm.ID, true, true}, {player.ID, true, false}, {stranger.ID, false, false}, {"not-an-id", false, false}} {
		for _, q := range []string{"korrick", "!!"} {
			got, err := g.Gather(ctx, search.Plan(search.Request{Filter: search.Filter{Scope: c.ID, GM: true}, Member: tc.user, Query: q}))
			wantErr(t, "Gather(member)", err, nil)
			if got.Allowed != tc.allowed || got.GM != tc.asGM {
				t.Errorf("Gather(%q as %s): allowed %v gm %v, want %v %v", q, tc.user, got.Allowed, got.GM, tc.allowed, tc.asGM)
			}
			hidden := slices.ContainsFunc(got.Candidates, func(c search.Candidate) bool { return c.GMOnly })
			if hidden != (tc.asGM && q == "korrick") {
				t.Errorf("Gather(%q as %s): GM-only candidates %v", q, tc.user, hidden)
			}
		}
	}
	_, err := search.Run(ctx, s, search.Request{Filter: search.Filter{Scope: c.ID}, Member: stranger.ID, Query: "gorrick"})
	wantErr(t, "Run(stranger)", err, search.ErrNotMember)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
