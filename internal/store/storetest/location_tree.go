package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func testLocationLists(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	c, other := mustCreateCampaign(t, s, gm, "C"), mustCreateCampaign(t, s, gm, "Other")
	a := mustCreateLocation(t, s, c, nil, "A")
	b := mustCreateLocation(t, s, c, nil, "B")
	a1 := mustCreateLocation(t, s, c, a, "A1")
	mustCreateLocation(t, s, c, a, "A2")
	mustCreateLocation(t, s, c, a1, "A1a")
	mustCreateLocation(t, s, c, b, "B1")
	x := mustCreateLocation(t, s, other, nil, "X")

	for _, tc := range []struct {
		name string
		f    store.LocationFilter
		want []string
	}{
		{"roots", store.LocationFilter{}, []string{"A", "B"}},
		{"children", store.LocationFilter{ParentID: a.ID}, []string{"A1", "A2"}},
		{"leaf children", store.LocationFilter{ParentID: x.ID, CampaignID: other.ID}, nil},
		{"subtree", store.LocationFilter{ParentID: a.ID, Subtree: true}, []string{"A1", "A1a", "A2"}},
		{"whole tree", store.LocationFilter{Subtree: true}, []string{"A", "A1", "A1a", "A2", "B", "B1"}},
	} {
		if tc.f.CampaignID == "" {
			tc.f.CampaignID = c.ID
		}
		for _, limit := range []int{0, 2} {
			tc.f.Page.Limit = limit
			wantNames(t, tc.name, tc.want, listLocations(t, s, tc.f))
		}
	}
	_, _, err := s.Locations(ctx, store.LocationFilter{CampaignID: c.ID, ParentID: x.ID})
	wantCode(t, "Locations(parent of another campaign)", err, "parent_not_found")
	_, _, err = s.Locations(ctx, store.LocationFilter{CampaignID: c.ID, Subtree: true, Page: gmc.Page{Cursor: "not-a-path"}})
	wantCode(t, "Locations(bad cursor)", err, "invalid_cursor")
}

func testLocationVisibility(t *testing.T, open OpenFunc) {
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	r := mustCreateLocation(t, s, c, nil, "R")
	h := mustCreateLocation(t, s, c, r, "H", gmOnly)
	hv := mustCreateLocation(t, s, c, h, "HV")
	mustCreateLocation(t, s, c, hv, "HVV")
	v := mustCreateLocation(t, s, c, r, "V")
	mustCreateLocation(t, s, c, v, "VH", gmOnly)
	g := mustCreateLocation(t, s, c, nil, "G", gmOnly)
	mustCreateLocation(t, s, c, g, "GV")

	for _, tc := range []struct {
		name       string
		f          store.LocationFilter
		gm, player []string
	}{
		{"roots", store.LocationFilter{}, []string{"R", "G"}, []string{"R"}},
		{"children of R", store.LocationFilter{ParentID: r.ID}, []string{"H", "V"}, []string{"V"}},
		{"children of hidden H", store.LocationFilter{ParentID: h.ID}, []string{"HV"}, nil},
		{"children of HV below hidden H", store.LocationFilter{ParentID: hv.ID}, []string{"HVV"}, nil},
		{"subtree of R", store.LocationFilter{ParentID: r.ID, Subtree: true}, []string{"H", "HV", "HVV", "V", "VH"}, []string{"V"}},
		{"whole tree", store.LocationFilter{Subtree: true}, []string{"R", "H", "HV", "HVV", "V", "VH", "G", "GV"}, []string{"R", "V"}},
	} {
		tc.f.CampaignID = c.ID
		gmView := listLocations(t, s, tc.f)
		tc.f.ForPlayers = true
		playerView := listLocations(t, s, tc.f)
		wantNames(t, tc.name+" (gm)", tc.gm, gmView)
		wantNames(t, tc.name+" (players)", tc.player, playerView)
	}
}

func testLocationMove(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	c, other := mustCreateCampaign(t, s, gm, "C"), mustCreateCampaign(t, s, gm, "Other")
	a := mustCreateLocation(t, s, c, nil, "A")
	b := mustCreateLocation(t, s, c, nil, "B")
	a1 := mustCreateLocation(t, s, c, a, "A1")
	a1a := mustCreateLocation(t, s, c, a1, "A1a")
	a1a1 := mustCreateLocation(t, s, c, a1a, "A1a1")
	foreign := mustCreateLocation(t, s, other, nil, "Foreign")
	move := func(l *gmc.Location, parent *gmc.Location) error {
		m := *l
		m.ParentID, m.UpdatedAt = nil, now()
		if parent != nil {
			m.ParentID = &parent.ID
		}
		err := s.MoveLocation(ctx, &m, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "location", l.ID, m))
		if err == nil {
			*l = m
		}
		return err
	}

	wantErr(t, "MoveLocation(A1 below B)", move(a1, b), nil)
	if a1.Depth != 2 || a1.Path != "/"+b.ID+"/"+a1.ID+"/" || a1.Version != 2 || *a1.ParentID != b.ID {
		t.Errorf("moved A1: depth %d path %q version %d", a1.Depth, a1.Path, a1.Version)
	}
	deep, _ := s.Location(ctx, a1a1.ID)
	if deep.Depth != 4 || deep.Version != 1 || deep.Path != a1.Path+a1a.ID+"/"+a1a1.ID+"/" {
		t.Errorf("descendant after move: depth %d version %d path %q", deep.Depth, deep.Version, deep.Path)
	}
	anc, _ := s.LocationAncestors(ctx, deep)
	wantNames(t, "breadcrumb after move", []string{"B", "A1", "A1a"}, locationNames(anc))
	wantNames(t, "subtree of B", []string{"A1", "A1a", "A1a1"}, listLocations(t, s, store.LocationFilter{CampaignID: c.ID, ParentID: b.ID, Subtree: true}))
	wantNames(t, "subtree of A", nil, listLocations(t, s, store.LocationFilter{CampaignID: c.ID, ParentID: a.ID, Subtree: true}))

	wantCode(t, "MoveLocation(A1 below its grandchild)", move(a1, deep), "location_cycle")
	wantCode(t, "MoveLocation(A1 below itself)", move(a1, a1), "location_cycle")
	wantCode(t, "MoveLocation(A1 below another campaign's)", move(a1, foreign), "parent_not_found")
	stale := *a1
	stale.Version = 1
	wantCode(t, "MoveLocation(stale)", move(&stale, nil), "stale_version")
	missing := *a1
	missing.ID = newID(t)
	wantErr(t, "MoveLocation(unknown)", move(&missing, nil), gmc.ErrNotFound)

	wantErr(t, "MoveLocation(A1 to the root)", move(a1, nil), nil)
	if deep, _ := s.Location(ctx, a1a1.ID); a1.Depth != 1 || a1.ParentID != nil || deep.Depth != 3 {
		t.Errorf("after move to root: A1 depth %d parent %v, A1a1 depth %d", a1.Depth, a1.ParentID, deep.Depth)
	}

	// A chain 30 deep takes A1 (3 levels) to depth 31..33: too deep, and
	// nothing changes.
	var tip *gmc.Location
	for range 30 {
		tip = mustCreateLocation(t, s, c, tip, "chain")
	}
	wantCode(t, "MoveLocation(too deep)", move(a1, tip), "location_too_deep")
	if got, _ := s.Location(ctx, a1.ID); got.Depth != 1 || got.Version != a1.Version {
		t.Errorf("A1 after refused move: depth %d version %d", got.Depth, got.Version)
	}
	events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "location", EntityID: a1.ID})
	if len(events) != 3 { // create, two moves
		t.Errorf("audit events of A1 = %d, want 3", len(events))
	}
}

func testLocationDelete(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	a := mustCreateLocation(t, s, c, nil, "A")
	b := mustCreateLocation(t, s, c, nil, "B")
	a1 := mustCreateLocation(t, s, c, a, "A1")
	a1a := mustCreateLocation(t, s, c, a1, "A1a")
	a2 := mustCreateLocation(t, s, c, a, "A2")
	del := func(l *gmc.Location, cascade bool) (*gmc.Event, error) {
		ev := newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "location", l.ID, nil)
		ev.Before, _ = json.Marshal(l)
		return ev, s.DeleteLocation(ctx, l, cascade, ev)
	}

	_, err := del(a, false)
	wantCode(t, "DeleteLocation(with children)", err, "location_has_children")
	stale := *a
	stale.Version = 7
	_, err = del(&stale, true)
	wantCode(t, "DeleteLocation(stale)", err, "stale_version")
	wantNames(t, "tree after refused deletes", []string{"A", "A1", "A1a", "A2", "B"}, listLocations(t, s, store.LocationFilter{CampaignID: c.ID, Subtree: true}))

	_, err = del(a, true)
	wantErr(t, "DeleteLocation(cascade)", err, nil)
	wantNames(t, "tree after cascade", []string{"B"}, listLocations(t, s, store.LocationFilter{CampaignID: c.ID, Subtree: true}))
	events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "location", EntityID: a.ID})
	var before struct {
		Name    string   `json:"name"`
		Deleted []string `json:"deleted_descendant_ids"`
	}
	if len(events) != 2 || events[0].Action != gmc.ActionDelete || json.Unmarshal(events[0].Before, &before) != nil {
		t.Fatalf("audit events of A = %+v", events)
	}
	wantNames(t, "deleted descendants in the audit log", []string{a1.ID, a1a.ID, a2.ID}, before.Deleted)
	if before.Name != "A" {
		t.Errorf("audit before.name = %q", before.Name)
	}

	_, err = del(b, false)
	wantErr(t, "DeleteLocation(leaf)", err, nil)
	_, err = del(b, false)
	wantErr(t, "DeleteLocation(again)", err, gmc.ErrNotFound)
}

// testLocationConcurrentMoves moves A below B and B below A at once: one
// move must see the other and refuse, or the tree would become a loop.
func testLocationConcurrentMoves(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	for round := range 5 {
		a, b := mustCreateLocation(t, s, c, nil, "A"), mustCreateLocation(t, s, c, nil, "B")
		errs := make(chan error, 2)
		for _, pair := range [][2]*gmc.Location{{a, b}, {b, a}} {
			go func() {
				m := *pair[0]
				m.ParentID, m.UpdatedAt = &pair[1].ID, now()
				errs <- s.MoveLocation(ctx, &m, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "location", m.ID, nil))
			}()
		}
		var moved, refused int
		for range 2 {
			var e *gmc.Error
			switch err := <-errs; {
			case err == nil:
				moved++
			case errors.As(err, &e) && e.Code == "location_cycle":
				refused++
			default:
				t.Errorf("round %d: MoveLocation = %v", round, err)
			}
		}
		if moved != 1 || refused != 1 {
			t.Errorf("round %d: %d moved, %d refused; want 1 and 1", round, moved, refused)
		}
		roots, _, err := s.Locations(ctx, store.LocationFilter{CampaignID: c.ID})
		if err != nil || len(roots) != 1 || len(listLocations(t, s, store.LocationFilter{CampaignID: c.ID, Subtree: true})) != 2 {
			t.Fatalf("round %d: roots after the race = %v, %v; want one of A and B below the other", round, locationNames(roots), err)
		}
		wantErr(t, "DeleteLocation(winner's parent)", s.DeleteLocation(ctx, roots[0], true, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, "location", roots[0].ID, nil)), nil)
	}
}
