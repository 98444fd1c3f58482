package service

import (
	"context"
	"sort"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// The cached location tree. A campaign's whole tree is read once (from the
// primary database) and kept while the campaign's generation holds; every
// list of locations is then cut from it in memory, with the store's
// order, paging and visibility rules (store.LocationStore.Locations). The
// caller's membership is still checked against the database on every
// request before anything is cut, and what players may not see is cut per
// request by role, so no permission is cached.

// locationTreeKey names the tree among a campaign's cached reads.
const locationTreeKey = "locations"

// locationTree is a campaign's every location in tree order (by path, as
// the store lists them), never changed once built: requests share it.
type locationTree struct {
	all   []*gmc.Location
	index map[string]int // by id
	// hidden marks what players may not see: a GM-only location and
	// everything below one.
	hidden []bool
}

func newLocationTree(all []*gmc.Location) *locationTree {
	t := &locationTree{all: all, index: make(map[string]int, len(all)), hidden: make([]bool, len(all))}
	for i, l := range all {
		t.index[l.ID] = i
		hidden := l.Visibility != gmc.VisiblePlayers
		if l.ParentID != nil && !hidden {
			// A parent's path is a prefix of its child's: it came first.
			p, ok := t.index[*l.ParentID]
			hidden = !ok || t.hidden[p]
		}
		t.hidden[i] = hidden
	}
	return t
}

// cachedLocations answers Locations from the cached tree, for a caller
// whose membership was checked; forPlayers for any role but GM.
func (s *Service) cachedLocations(ctx context.Context, q LocationQuery, forPlayers bool) ([]*gmc.Location, string, error) {
	tree, err := s.locationTrees.Get(ctx, q.CampaignID, locationTreeKey, func(ctx context.Context) (*locationTree, error) {
		return s.loadLocationTree(ctx, q.CampaignID)
	})
	if err != nil {
		return nil, "", err
	}
	return tree.list(q, forPlayers)
}

func (s *Service) loadLocationTree(ctx context.Context, campaignID string) (*locationTree, error) {
	ctx = store.ReadPrimary(ctx) // what is kept must not come from a lagging replica
	var all []*gmc.Location
	err := gmc.EachPage(func(cursor string) ([]*gmc.Location, string, error) {
		return s.store.Locations(ctx, store.LocationFilter{CampaignID: campaignID, Subtree: true, Page: gmc.FullPage(cursor)})
	}, func(l *gmc.Location) { all = append(all, l) })
	if err != nil {
		return nil, err
	}
	return newLocationTree(all), nil
}

// list is store.LocationStore.Locations over the tree: the roots, the
// children of q.ParentID or (q.Subtree) everything below it, after the
// cursor path, one page and the next page's cursor. The locations are
// copies, so callers may change them.
func (t *locationTree) list(q LocationQuery, forPlayers bool) ([]*gmc.Location, string, error) {
	var parent *gmc.Location
	if q.ParentID != "" {
		i, ok := t.index[q.ParentID]
		if !ok || (forPlayers && t.hidden[i]) {
			return nil, "", store.ErrParentNotFound
		}
		parent = t.all[i]
	}
	page := q.Page.Normalize()
	if page.Cursor != "" && !gmc.ValidLocationPath(page.Cursor) {
		return nil, "", store.ErrInvalidCursor
	}
	// Children and descendants alike lie in the parent's subtree range.
	lo, hi := "", ""
	if parent != nil {
		lo, hi = gmc.SubtreeRange(parent.Path)
	}
	after := max(lo, page.Cursor) // paths compare bytewise in both backends (COLLATE "C" in PostgreSQL)
	start := sort.Search(len(t.all), func(i int) bool { return t.all[i].Path > after })
	out := make([]*gmc.Location, 0, min(page.Limit+1, len(t.all)-start))
	for i := start; i < len(t.all) && len(out) <= page.Limit; i++ {
		l := t.all[i]
		if hi != "" && l.Path >= hi {
			break
		}
		if forPlayers && t.hidden[i] {
			continue
		}
		if !q.Subtree && !sameParent(l.ParentID, parent) {
			continue
		}
		c := *l
		out = append(out, &c)
	}
	out, next := gmc.NextCursor(out, page.Limit, func(l *gmc.Location) string { return l.Path })
	return out, next, nil
}

// sameParent reports whether a location with parentID is a child of
// parent, or a root when parent is nil.
func sameParent(parentID *string, parent *gmc.Location) bool {
	if parent == nil {
		return parentID == nil
	}
	return parentID != nil && *parentID == parent.ID
}
