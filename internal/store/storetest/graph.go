package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func edgeIDs(es []gmc.GraphEdge) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

func sortedIDs(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func testGraph(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	// A — B — C — D, with A→B mutual, a GM-only edge B→D and a GM-only
	// character H tied to A; another campaign's X is tied to nothing here.
	setup := func(t *testing.T) (store.Store, *gmc.Campaign, map[string]*gmc.Character, map[string]*gmc.Relationship) {
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		ch := map[string]*gmc.Character{}
		for _, name := range []string{"A", "B", "C", "D"} {
			ch[name] = mustCreateCharacter(t, s, c, name)
		}
		ch["H"] = mustCreateCharacter(t, s, c, "H", hidden)
		other := mustCreateCampaign(t, s, gm, "Other")
		x, y := mustCreateCharacter(t, s, other, "X"), mustCreateCharacter(t, s, other, "Y")
		mustRelate(t, s, x, y, "ally", false)
		rel := map[string]*gmc.Relationship{
			"AB": mustRelate(t, s, ch["A"], ch["B"], "ally", true),
			"CB": mustRelate(t, s, ch["C"], ch["B"], "enemy", false),
			"CD": mustRelate(t, s, ch["C"], ch["D"], "family", false),
			"AH": mustRelate(t, s, ch["A"], ch["H"], "romance", false),
		}
		bd := newRelationship(t, ch["B"], ch["D"], "employer", false)
		bd.Visibility = gmc.VisibleGM
		if err := s.CreateRelationship(ctx, bd, creation(bd, ""), relEvent(t, bd, gmc.ActionCreate)); err != nil {
			t.Fatal(err)
		}
		rel["BD"] = bd
		rel["BA"] = mustGetRelationship(t, s, *rel["AB"].PairID)
		return s, c, ch, rel
	}
	t.Run("Edges", func(t *testing.T) {
		t.Parallel()
		s, c, ch, rel := setup(t)
		ids := func(names ...string) []string {
			var out []string
			for _, n := range names {
				out = append(out, ch[n].ID)
			}
			return out
		}
		tests := []struct {
			name  string
			f     store.EdgeFilter
			edges []string
		}{
			{"touching B", store.EdgeFilter{Nodes: ids("B")}, []string{"AB", "BA", "CB", "BD"}},
			{"touching A and B, each once", store.EdgeFilter{Nodes: ids("A", "B")}, []string{"AB", "BA", "CB", "BD", "AH"}},
			{"within B, C, D", store.EdgeFilter{Nodes: ids("B", "C", "D"), Within: true}, []string{"CB", "CD", "BD"}},
			{"players' view of A and B", store.EdgeFilter{Nodes: ids("A", "B"), HideGMOnly: true}, []string{"AB", "BA", "CB"}},
			{"players' view within B, C, D", store.EdgeFilter{Nodes: ids("B", "C", "D"), Within: true, HideGMOnly: true}, []string{"CB", "CD"}},
			{"no nodes", store.EdgeFilter{}, nil},
		}
		for _, tc := range tests {
			tc.f.CampaignID = c.ID
			got, err := s.Edges(ctx, tc.f)
			wantErr(t, "Edges("+tc.name+")", err, nil)
			var want []string
			for _, n := range tc.edges {
				want = append(want, rel[n].ID)
			}
			if diff := cmp.Diff(sortedIDs(want...), edgeIDs(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Edges(%s) mismatch (-want +got):\n%s", tc.name, diff)
			}
		}
		got, _ := s.Edges(ctx, store.EdgeFilter{CampaignID: c.ID, Nodes: ids("D"), Within: false})
		want := []gmc.GraphEdge{
			{ID: rel["CD"].ID, Source: ch["C"].ID, Target: ch["D"].ID, Kind: "family", Attitude: 10},
			{ID: rel["BD"].ID, Source: ch["B"].ID, Target: ch["D"].ID, Kind: "employer", Attitude: 10},
		}
		slices.SortFunc(want, func(a, b gmc.GraphEdge) int { return strings.Compare(a.ID, b.ID) })
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Edges(D) fields mismatch (-want +got):\n%s", diff)
		}
		other, _ := s.Edges(ctx, store.EdgeFilter{CampaignID: newID(t), Nodes: ids("A", "B")})
		if len(other) != 0 {
			t.Errorf("Edges(other campaign) = %v, want none", other)
		}
	})
	t.Run("GraphNodes", func(t *testing.T) {
		t.Parallel()
		s, c, ch, _ := setup(t)
		all := []string{ch["A"].ID, ch["H"].ID, newID(t)}
		got, err := s.GraphNodes(ctx, store.NodeFilter{CampaignID: c.ID, IDs: all})
		wantErr(t, "GraphNodes", err, nil)
		want := []gmc.GraphNode{{ID: ch["A"].ID, Name: "A", CharacterType: gmc.CharacterNPC}, {ID: ch["H"].ID, Name: "H", CharacterType: gmc.CharacterNPC}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GraphNodes mismatch (-want +got):\n%s", diff)
		}
		got, _ = s.GraphNodes(ctx, store.NodeFilter{CampaignID: c.ID, IDs: all, HideGMOnly: true})
		if diff := cmp.Diff(want[:1], got); diff != "" {
			t.Errorf("GraphNodes(hide gm only) mismatch (-want +got):\n%s", diff)
		}
		got, _ = s.GraphNodes(ctx, store.NodeFilter{CampaignID: newID(t), IDs: all})
		if len(got) != 0 {
			t.Errorf("GraphNodes(other campaign) = %v, want none", got)
		}
	})
}
