package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// mustCreateLocation stores a location visible to players below parent
// (nil: a root); edit changes it before it is stored.
func mustCreateLocation(t testing.TB, s store.Store, c *gmc.Campaign, parent *gmc.Location, name string, edit ...func(*gmc.Location)) *gmc.Location {
	t.Helper()
	ts := now()
	l := &gmc.Location{ID: newID(t), CampaignID: c.ID, Name: name, LocationType: "region", Visibility: gmc.VisiblePlayers, CreatedAt: ts, UpdatedAt: ts}
	if parent != nil {
		l.ParentID = &parent.ID
	}
	for _, e := range edit {
		e(l)
	}
	l.Normalize()
	if err := s.CreateLocation(context.Background(), l, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "location", l.ID, l)); err != nil {
		t.Fatalf("CreateLocation(%s) = %v", name, err)
	}
	return l
}

func gmOnly(l *gmc.Location) { l.Visibility = gmc.VisibleGM }

func locationNames(ls []*gmc.Location) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name
	}
	return out
}

// listLocations reads every page of a location list.
func listLocations(t testing.TB, s store.Store, f store.LocationFilter) []string {
	t.Helper()
	var names []string
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatal("pagination does not end")
		}
		list, next, err := s.Locations(context.Background(), f)
		wantErr(t, "Locations", err, nil)
		names = append(names, locationNames(list)...)
		if next == "" {
			return names
		}
		f.Page.Cursor = next
	}
}

func wantNames(t testing.TB, what string, want, got []string) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, diff)
	}
}

func testLocation(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (store.Store, *gmc.Campaign) {
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		return s, mustCreateCampaign(t, s, gm, "C")
	}
	t.Run("CreateAndGet", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		world := mustCreateLocation(t, s, c, nil, "Faerûn", func(l *gmc.Location) {
			l.Metadata = json.RawMessage(`{"z": 1, "a": [true, null]}`)
			l.Coordinates = json.RawMessage(`{"x":10,"y":-2.5}`)
		})
		city := mustCreateLocation(t, s, c, world, "Waterdeep")
		inn := mustCreateLocation(t, s, c, city, "Yawning Portal")
		got, err := s.Location(ctx, world.ID)
		wantErr(t, "Location", err, nil)
		if diff := cmp.Diff(world, got); diff != "" {
			t.Errorf("Location mismatch (-want +got):\n%s", diff)
		}
		if string(got.Metadata) != `{"z":1,"a":[true,null]}` {
			t.Errorf("metadata = %s, want it compacted with its key order kept", got.Metadata)
		}
		if inn.Depth != 3 || inn.Path != "/"+world.ID+"/"+city.ID+"/"+inn.ID+"/" || inn.Version != 1 {
			t.Errorf("inn depth %d path %q version %d", inn.Depth, inn.Path, inn.Version)
		}
		anc, err := s.LocationAncestors(ctx, inn)
		wantErr(t, "LocationAncestors", err, nil)
		wantNames(t, "breadcrumb", []string{"Faerûn", "Waterdeep"}, locationNames(anc))
		if anc, _ := s.LocationAncestors(ctx, world); len(anc) != 0 {
			t.Errorf("ancestors of a root = %d, want none", len(anc))
		}
		mustCreateLocation(t, s, c, world, "Baldur's Gate", gmOnly)
		for _, tc := range []struct {
			forPlayers bool
			want       int
		}{{false, 2}, {true, 1}} {
			if n, err := s.LocationChildrenCount(ctx, world, tc.forPlayers); err != nil || n != tc.want {
				t.Errorf("LocationChildrenCount(forPlayers=%v) = %d, %v, want %d", tc.forPlayers, n, err, tc.want)
			}
		}
		_, err = s.Location(ctx, newID(t))
		wantErr(t, "Location(unknown)", err, gmc.ErrNotFound)
		events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "location", EntityID: inn.ID})
		if len(events) != 1 || events[0].Action != gmc.ActionCreate {
			t.Errorf("audit events of the inn = %+v, want its create", events)
		}
	})
	t.Run("CreateRejectsBadParent", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		other := mustCreateCampaign(t, s, mustCreateUser(t, s, "other@example.com"), "Other")
		foreign := mustCreateLocation(t, s, other, nil, "Elsewhere")
		for _, parent := range []string{foreign.ID, newID(t)} {
			l := &gmc.Location{ID: newID(t), CampaignID: c.ID, ParentID: &parent, Name: "X", Visibility: gmc.VisiblePlayers, CreatedAt: now(), UpdatedAt: now()}
			l.Normalize()
			err := s.CreateLocation(ctx, l, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "location", l.ID, nil))
			wantCode(t, "CreateLocation(parent "+parent+")", err, "parent_not_found")
		}
		if got := listLocations(t, s, store.LocationFilter{CampaignID: c.ID, Subtree: true}); len(got) != 0 {
			t.Errorf("locations after failed creates = %v", got)
		}
	})
	t.Run("DepthLimit", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		var parent *gmc.Location
		for i := range gmc.MaxLocationDepth {
			parent = mustCreateLocation(t, s, c, parent, fmt.Sprint("L", i+1))
		}
		if parent.Depth != gmc.MaxLocationDepth {
			t.Fatalf("depth = %d", parent.Depth)
		}
		l := &gmc.Location{ID: newID(t), CampaignID: c.ID, ParentID: &parent.ID, Name: "Too deep", Visibility: gmc.VisiblePlayers, CreatedAt: now(), UpdatedAt: now()}
		l.Normalize()
		wantCode(t, "CreateLocation(depth 33)", s.CreateLocation(ctx, l, newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "location", l.ID, nil)), "location_too_deep")
		anc, err := s.LocationAncestors(ctx, parent)
		wantErr(t, "LocationAncestors", err, nil)
		if len(anc) != gmc.MaxLocationDepth-1 || anc[0].Name != "L1" || anc[len(anc)-1].Name != "L31" {
			t.Errorf("breadcrumb of the deepest = %v", locationNames(anc))
		}
	})
	t.Run("ListsInTreeOrder", func(t *testing.T) { t.Parallel(); testLocationLists(t, open) })
	t.Run("HiddenFromPlayers", func(t *testing.T) { t.Parallel(); testLocationVisibility(t, open) })
	t.Run("UpdateVersioned", func(t *testing.T) {
		t.Parallel()
		s, c := setup(t)
		l := mustCreateLocation(t, s, c, nil, "Old")
		stale := *l
		l.Name, l.Description, l.Metadata, l.Visibility = "New", "d", json.RawMessage(`{"b":1,"a":2}`), gmc.VisibleGM
		l.UpdatedAt = now()
		wantErr(t, "UpdateLocation", s.UpdateLocation(ctx, l, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "location", l.ID, l)), nil)
		got, _ := s.Location(ctx, l.ID)
		if diff := cmp.Diff(l, got); diff != "" || got.Version != 2 {
			t.Errorf("after update (version %d) (-want +got):\n%s", got.Version, diff)
		}
		err := s.UpdateLocation(ctx, &stale, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "location", l.ID, nil))
		wantCode(t, "UpdateLocation(stale)", err, "stale_version")
		missing := *l
		missing.ID = newID(t)
		wantErr(t, "UpdateLocation(unknown)", s.UpdateLocation(ctx, &missing, newEvent(t, c.ID, c.CreatedBy, gmc.ActionUpdate, "location", missing.ID, nil)), gmc.ErrNotFound)
		events, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "location"})
		if len(events) != 2 {
			t.Errorf("audit events = %d, want 2 (create, update)", len(events))
		}
	})
	t.Run("MoveSubtree", func(t *testing.T) { t.Parallel(); testLocationMove(t, open) })
	t.Run("Delete", func(t *testing.T) { t.Parallel(); testLocationDelete(t, open) })
	t.Run("ConcurrentMovesMakeNoLoop", func(t *testing.T) { t.Parallel(); testLocationConcurrentMoves(t, open) })
}

// testMemberLocations checks MemberLocations: a GM sees the whole tree,
// anyone else nothing GM-only or below it, a parent hidden from the caller
// is not found, and a change of membership shows on the very next read.
func testMemberLocations(t *testing.T, open OpenFunc) {
	s := open(t)
	gm := mustCreateUser(t, s, "gm@example.com")
	player := mustCreateUser(t, s, "p@example.com")
	stranger := mustCreateUser(t, s, "s@example.com")
	c := mustCreateCampaign(t, s, gm, "C")
	other := mustCreateCampaign(t, s, gm, "Other")
	mustAddMember(t, s, c, player, gmc.RolePlayer)
	barovia := mustCreateLocation(t, s, c, nil, "Barovia")
	village := mustCreateLocation(t, s, c, barovia, "Village")
	castle := mustCreateLocation(t, s, c, barovia, "Castle", gmOnly)
	mustCreateLocation(t, s, c, castle, "Crypt")
	elsewhere := mustCreateLocation(t, s, other, nil, "Elsewhere")
	f := func(parent *gmc.Location, subtree bool) store.LocationFilter {
		lf := store.LocationFilter{CampaignID: c.ID, Subtree: subtree}
		if parent != nil {
			lf.ParentID = parent.ID
		}
		return lf
	}
	tree := f(nil, true)
	gmTree, playerTree := []string{"Barovia", "Village", "Castle", "Crypt"}, []string{"Barovia", "Village"}
	badCursor := f(nil, true)
	badCursor.Page.Cursor = "nope"
	runMemberReads(t, "MemberLocations", []memberRead[store.LocationFilter]{
		{name: "gm, roots", user: gm.ID, f: f(nil, false), want: []string{"Barovia"}, role: gmc.RoleGM},
		{name: "gm, tree", user: gm.ID, f: tree, want: gmTree, role: gmc.RoleGM},
		{name: "ForPlayers unused for a gm", user: gm.ID, f: store.LocationFilter{CampaignID: c.ID, Subtree: true, ForPlayers: true}, want: gmTree, role: gmc.RoleGM},
		{name: "player, tree", user: player.ID, f: tree, want: playerTree, role: gmc.RolePlayer},
		{name: "gm, children", user: gm.ID, f: f(barovia, false), want: []string{"Village", "Castle"}, role: gmc.RoleGM},
		{name: "player, children", user: player.ID, f: f(barovia, false), want: []string{"Village"}, role: gmc.RolePlayer},
		{name: "gm, subtree", user: gm.ID, f: f(barovia, true), want: []string{"Village", "Castle", "Crypt"}, role: gmc.RoleGM},
		{name: "player, subtree", user: player.ID, f: f(barovia, true), want: []string{"Village"}, role: gmc.RolePlayer},
		{name: "gm, below a gm-only parent", user: gm.ID, f: f(castle, false), want: []string{"Crypt"}, role: gmc.RoleGM},
		{name: "player, below a gm-only parent", user: player.ID, f: f(castle, false), err: store.ErrParentNotFound},
		{name: "player, subtree of a gm-only parent", user: player.ID, f: f(castle, true), err: store.ErrParentNotFound},
		{name: "parent without children", user: player.ID, f: f(village, true), role: gmc.RolePlayer},
		{name: "parent of another campaign", user: gm.ID, f: f(elsewhere, false), err: store.ErrParentNotFound},
		{name: "parent of another campaign, subtree", user: gm.ID, f: f(elsewhere, true), err: store.ErrParentNotFound},
		{name: "parent not an id", user: gm.ID, f: store.LocationFilter{CampaignID: c.ID, ParentID: "nope"}, err: store.ErrParentNotFound},
		{name: "bad cursor", user: player.ID, f: badCursor, err: store.ErrInvalidCursor},
		{name: "stranger", user: stranger.ID, f: tree, err: gmc.ErrNotFound},
		{name: "stranger, with a parent", user: stranger.ID, f: f(barovia, false), err: gmc.ErrNotFound},
		{name: "stranger, gm-only parent", user: stranger.ID, f: f(castle, false), err: gmc.ErrNotFound},
		{name: "stranger, bad cursor", user: stranger.ID, f: badCursor, err: gmc.ErrNotFound},
		{name: "unknown campaign", user: gm.ID, f: store.LocationFilter{CampaignID: newID(t)}, err: gmc.ErrNotFound},
		{name: "not an id", user: gm.ID, f: store.LocationFilter{CampaignID: "nope"}, err: gmc.ErrNotFound},
		{name: "promoted", change: setRole(t, s, c, player, gmc.RoleGM), user: player.ID, f: f(castle, false), want: []string{"Crypt"}, role: gmc.RoleGM},
		{name: "downgraded", change: setRole(t, s, c, player, gmc.RoleObserver), user: player.ID, f: tree, want: playerTree, role: gmc.RoleObserver},
		{name: "downgraded, gm-only parent", user: player.ID, f: f(castle, false), err: store.ErrParentNotFound},
		{name: "removed", change: setRole(t, s, c, player, ""), user: player.ID, f: tree, err: gmc.ErrNotFound},
	}, func(user string, f store.LocationFilter) ([]string, gmc.Role, error) {
		list, _, role, err := s.MemberLocations(context.Background(), user, f)
		return locationNames(list), role, err
	})
	// Pages follow the tree.
	var got []string
	lf := f(nil, true)
	lf.Page.Limit = 1
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		list, next, _, err := s.MemberLocations(context.Background(), gm.ID, lf)
		wantErr(t, "MemberLocations(paged)", err, nil)
		if got = append(got, locationNames(list)...); next == "" {
			break
		}
		lf.Page.Cursor = next
	}
	wantNames(t, "MemberLocations(paged)", gmTree, got)
}
