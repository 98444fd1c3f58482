package service

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Who may do what with locations:
//   - GMs create, change, move and delete locations and see all of them.
//   - Players and observers read the locations visible to players: those
//     that have visibility "players" and whose ancestors all have it too.
//     Below a GM-only location everything is hidden, so a hidden location's
//     subtree does not exist for them (404), is left out of lists and
//     children counts, and never shows in a breadcrumb.

// LocationParams are a new location's fields. An empty Visibility means
// "gm": a GM's new place stays secret until they decide otherwise, as a
// new NPC does.
type LocationParams struct {
	ParentID     *string
	Name         string
	LocationType string
	Description  string
	Metadata     json.RawMessage
	Coordinates  json.RawMessage
	Visibility   gmc.Visibility
}

// LocationView is a location with its breadcrumb (root first) and the
// number of its children the caller may see.
type LocationView struct {
	gmc.Location
	Ancestors     []gmc.LocationCrumb `json:"ancestors"`
	ChildrenCount int                 `json:"children_count"`
}

// CreateLocation adds a location to a campaign, below ParentID or as a
// root. GM only.
func (s *Service) CreateLocation(ctx context.Context, userID, campaignID string, p LocationParams) (*gmc.Location, error) {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return nil, err
	}
	now := s.clock()
	l := &gmc.Location{ID: s.newID(), CampaignID: campaignID, ParentID: p.ParentID, Name: p.Name, LocationType: p.LocationType,
		Description: p.Description, Metadata: p.Metadata, Coordinates: p.Coordinates, Visibility: p.Visibility, Depth: 1, CreatedAt: now, UpdatedAt: now}
	if l.Visibility == "" {
		l.Visibility = gmc.VisibleGM
	}
	l.Normalize()
	if err := l.Validate(); err != nil {
		return nil, err
	}
	if p.ParentID != nil {
		parent, err := s.store.Location(ctx, *p.ParentID)
		if errors.Is(err, gmc.ErrNotFound) || (err == nil && parent.CampaignID != campaignID) {
			return nil, store.ErrParentNotFound
		} else if err != nil {
			return nil, err
		}
		l.Depth = parent.Depth + 1
	}
	l.Version = 1
	if err := s.store.CreateLocation(ctx, l, s.event(campaignID, userID, gmc.ActionCreate, gmc.EntityLocation, l.ID, nil, l)); err != nil {
		return nil, err
	}
	s.changed(ctx, s.locationRef(ctx, l, nil, gmc.ActionCreate))
	return l, nil
}

// location returns a location the caller may see with its ancestors and
// the caller's membership. A location that does not exist, is in a
// campaign the caller is not in, or is hidden from the caller is
// ErrNotFound alike, so nothing leaks.
func (s *Service) location(ctx context.Context, userID, id string) (*gmc.Location, []*gmc.Location, *gmc.Member, error) {
	l, err := s.store.Location(ctx, id)
	if err != nil {
		return nil, nil, nil, notFound(err, gmc.EntityLocation)
	}
	m, err := s.access(ctx, l.CampaignID, userID, gmc.RoleObserver)
	if err != nil {
		return nil, nil, nil, notFound(err, gmc.EntityLocation)
	}
	ancestors, err := s.store.LocationAncestors(ctx, l)
	if err != nil {
		return nil, nil, nil, err
	}
	if m.Role != gmc.RoleGM && !gmc.VisibleToPlayers(l, ancestors) {
		return nil, nil, nil, notFound(gmc.ErrNotFound, gmc.EntityLocation)
	}
	return l, ancestors, m, nil
}

// locationForGM is location for a write: the caller must be a GM.
func (s *Service) locationForGM(ctx context.Context, userID, id string, ifMatch int64) (*gmc.Location, []*gmc.Location, error) {
	l, ancestors, m, err := s.location(ctx, userID, id)
	if err != nil {
		return nil, nil, err
	}
	if m.Role != gmc.RoleGM {
		return nil, nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can change locations")
	}
	return l, ancestors, checkVersion(ifMatch, l.Version)
}

// Location returns a location with its breadcrumb and children count.
func (s *Service) Location(ctx context.Context, userID, id string) (*LocationView, error) {
	l, ancestors, m, err := s.location(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	n, err := s.store.LocationChildrenCount(ctx, l, m.Role != gmc.RoleGM)
	if err != nil {
		return nil, err
	}
	v := &LocationView{Location: *l, Ancestors: make([]gmc.LocationCrumb, len(ancestors)), ChildrenCount: n}
	for i, a := range ancestors {
		v.Ancestors[i] = a.Crumb()
	}
	return v, nil
}

// LocationQuery selects part of a campaign's location tree. The caller's
// role decides which locations are visible.
type LocationQuery struct {
	CampaignID string
	// ParentID selects the children of one location; "" selects the roots.
	ParentID string
	// Subtree selects every descendant of ParentID at any depth, or every
	// location of the campaign when ParentID is "".
	Subtree bool
	// Page.Cursor is the last location's path (see store.LocationStore).
	Page gmc.Page
}

// Locations lists a campaign's locations the caller may see: the roots,
// the children of q.ParentID, or (q.Subtree) everything below it.
func (s *Service) Locations(ctx context.Context, userID string, q LocationQuery) ([]*gmc.Location, string, error) {
	// With the tree cached, one read checks the membership and the page
	// is cut from the tree for the caller's role. Inside a transaction the
	// tree may hold its uncommitted writes, so it is not used there.
	if s.locationTrees != nil && s.held == nil {
		m, err := s.access(ctx, q.CampaignID, userID, gmc.RoleObserver)
		if err != nil {
			return nil, "", err
		}
		return s.cachedLocations(ctx, q, m.Role != gmc.RoleGM)
	}
	// Otherwise the store reads the membership and the parent in the
	// list's statement and hides from anyone but a GM what is GM-only or
	// lies below a GM-only location.
	list, next, role, err := s.store.MemberLocations(ctx, userID, store.LocationFilter{CampaignID: q.CampaignID, ParentID: q.ParentID,
		Subtree: q.Subtree, Page: q.Page})
	if errors.Is(err, store.ErrParentNotFound) {
		return nil, "", err
	} else if err != nil {
		return nil, "", accessError(err)
	}
	if err := checkRole(role, gmc.RoleObserver); err != nil {
		return nil, "", err
	}
	return list, next, nil
}

// LocationUpdate changes some of a location's fields; nil means unchanged.
// A location's place in the tree changes only by MoveLocation.
type LocationUpdate struct {
	Name         *string
	LocationType *string
	Description  *string
	Metadata     *json.RawMessage
	Coordinates  *json.RawMessage
	Visibility   *gmc.Visibility
	IfMatch      int64
}

// UpdateLocation changes a location. GM only.
func (s *Service) UpdateLocation(ctx context.Context, userID, id string, upd LocationUpdate) (*gmc.Location, error) {
	l, ancestors, err := s.locationForGM(ctx, userID, id, upd.IfMatch)
	if err != nil {
		return nil, err
	}
	before := *l
	setIf(&l.Name, upd.Name)
	setIf(&l.LocationType, upd.LocationType)
	setIf(&l.Description, upd.Description)
	setIf(&l.Metadata, upd.Metadata)
	setIf(&l.Coordinates, upd.Coordinates)
	setIf(&l.Visibility, upd.Visibility)
	l.Normalize()
	if err := l.Validate(); err != nil {
		return nil, err
	}
	l.UpdatedAt = s.clock()
	after := *l
	after.Version++
	if err := s.store.UpdateLocation(ctx, l, s.event(l.CampaignID, userID, gmc.ActionUpdate, gmc.EntityLocation, l.ID, before, after)); err != nil {
		return nil, err
	}
	s.changed(ctx, changedFrom(s.locationRef(ctx, l, ancestors, gmc.ActionUpdate), &before, ancestors))
	return l, nil
}

// MoveLocation puts a location with its whole subtree below parentID (nil:
// as a root). GM only. ErrConflict when parentID is the location itself or
// below it, or the subtree would grow deeper than gmc.MaxLocationDepth.
func (s *Service) MoveLocation(ctx context.Context, userID, id string, parentID *string, ifMatch int64) (*gmc.Location, error) {
	l, ancestors, err := s.locationForGM(ctx, userID, id, ifMatch)
	if err != nil {
		return nil, err
	}
	before := *l
	l.ParentID, l.UpdatedAt = parentID, s.clock()
	after := *l
	after.Version++
	if err := s.store.MoveLocation(ctx, l, s.event(l.CampaignID, userID, gmc.ActionUpdate, gmc.EntityLocation, l.ID, before, after)); err != nil {
		return nil, err
	}
	s.changed(ctx, changedFrom(s.locationRef(ctx, l, nil, gmc.ActionUpdate), &before, ancestors))
	return l, nil
}

// DeleteLocation removes a location; one with children only when cascade
// is set, and then its whole subtree. GM only.
func (s *Service) DeleteLocation(ctx context.Context, userID, id string, cascade bool, ifMatch int64) error {
	l, ancestors, err := s.locationForGM(ctx, userID, id, ifMatch)
	if err != nil {
		return err
	}
	if err := s.store.DeleteLocation(ctx, l, cascade, s.event(l.CampaignID, userID, gmc.ActionDelete, gmc.EntityLocation, l.ID, l, nil)); err != nil {
		return err
	}
	s.changed(ctx, s.locationRef(ctx, l, ancestors, gmc.ActionDelete))
	return nil
}

// locationRef names l for change notifications. Its visibility is what
// players see of it, so a change below a GM-only location reaches GMs
// only; ancestors nil means they are looked up.
func (s *Service) locationRef(ctx context.Context, l *gmc.Location, ancestors []*gmc.Location, action string) gmc.EntityRef {
	ref := gmc.EntityRef{CampaignID: l.CampaignID, Type: gmc.EntityLocation, ID: l.ID, Action: action, Visibility: gmc.VisibleGM}
	if ancestors == nil {
		var err error
		if ancestors, err = s.store.LocationAncestors(ctx, l); err != nil {
			// The write is committed; when in doubt, tell GMs only.
			s.log.WarnContext(ctx, "location ancestors for change notice", "location_id", l.ID, "error", err.Error())
			return ref
		}
	}
	if gmc.VisibleToPlayers(l, ancestors) {
		ref.Visibility = gmc.VisiblePlayers
	}
	return ref
}

// changedFrom widens the notice of a change to players when they could
// see the location before it (before with its ancestors then), so that
// their view drops what they may no longer see.
func changedFrom(ref gmc.EntityRef, before *gmc.Location, ancestors []*gmc.Location) gmc.EntityRef {
	if gmc.VisibleToPlayers(before, ancestors) {
		ref.Visibility = gmc.VisiblePlayers
	}
	return ref
}
