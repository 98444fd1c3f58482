package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gmc-project/gmc/internal/gmc"
)

// LocationFilter selects locations of one campaign.
type LocationFilter struct {
	CampaignID string
	// ParentID selects the children of one location; "" selects the roots.
	ParentID string
	// Subtree selects every descendant of ParentID at any depth, or every
	// location of the campaign when ParentID is "".
	Subtree bool
	// ForPlayers leaves out what players may not see: GM-only locations
	// and everything below them.
	ForPlayers bool
	// Page.Cursor is the last location's path (see Locations).
	Page gmc.Page
}

// LocationStore keeps the location tree of each campaign. Every write
// appends ev to the audit log in the same transaction.
type LocationStore interface {
	// CreateLocation inserts l below l.ParentID (nil: as a root) and sets
	// l.Path, l.Depth and l.Version. ErrNotFound (code "parent_not_found")
	// when the parent is not a location of l's campaign; ErrConflict (code
	// "location_too_deep") when l would be deeper than gmc.MaxLocationDepth.
	CreateLocation(ctx context.Context, l *gmc.Location, ev *gmc.Event) error
	// Location returns the location with id, or ErrNotFound.
	Location(ctx context.Context, id string) (*gmc.Location, error)
	// LocationAncestors returns l's ancestors, root first (none for a
	// root), with one indexed query by the ids of l.Path.
	LocationAncestors(ctx context.Context, l *gmc.Location) ([]*gmc.Location, error)
	// LocationChildrenCount counts l's direct children; forPlayers counts
	// only those with visibility "players".
	LocationChildrenCount(ctx context.Context, l *gmc.Location, forPlayers bool) (int, error)
	// Locations lists locations in tree order — by path, so each location
	// comes before its descendants and siblings in creation order — and the
	// next page's cursor, which is the path of the page's last location.
	// ErrNotFound (code "parent_not_found") when ParentID is not a location
	// of the campaign; ErrInvalid (code "invalid_cursor") for a cursor that
	// is no path.
	Locations(ctx context.Context, f LocationFilter) ([]*gmc.Location, string, error)
	// MemberLocations is Locations as userID may see them, with userID's
	// role: a GM sees the whole tree, anyone else what ForPlayers leaves
	// (f.ForPlayers is not used). The membership, and the parent, are read
	// in the list's statement; only an empty page costs a second one.
	// ErrNotFound when userID is not a member of f.CampaignID; then, as
	// Locations, ErrParentNotFound (also for a parent hidden from userID)
	// and ErrInvalidCursor.
	MemberLocations(ctx context.Context, userID string, f LocationFilter) ([]*gmc.Location, string, gmc.Role, error)
	// UpdateLocation writes l's editable fields (not its place in the tree)
	// when the stored version equals l.Version, then increments l.Version.
	// ErrNotFound; ErrConflict on a stale version.
	UpdateLocation(ctx context.Context, l *gmc.Location, ev *gmc.Event) error
	// MoveLocation puts the location l.ID with its whole subtree below
	// l.ParentID (nil: as a root), in one transaction, when the stored
	// version equals l.Version; it sets l.Path and l.Depth and increments
	// l.Version (descendants keep their versions: their own fields do not
	// change). ErrNotFound, with code "parent_not_found" when the new
	// parent is not a location of the campaign; ErrConflict with code
	// "location_cycle" when the new parent is the location itself or one
	// of its descendants, "location_too_deep" when the subtree would reach
	// deeper than gmc.MaxLocationDepth, or on a stale version.
	MoveLocation(ctx context.Context, l *gmc.Location, ev *gmc.Event) error
	// DeleteLocation removes the location l.ID when the stored version
	// equals l.Version, and with it its whole subtree when cascade is set.
	// ErrNotFound; ErrConflict with code "location_has_children" when it
	// has children and cascade is not set, or on a stale version. The ids
	// of the removed descendants are added to ev.Before as
	// "deleted_descendant_ids", so the audit log says what went.
	DeleteLocation(ctx context.Context, l *gmc.Location, cascade bool, ev *gmc.Event) error
}

// WithAuditField returns the JSON object doc with key set to v; backends
// use it to record in an audit event what only the transaction knows.
func WithAuditField(doc json.RawMessage, key string, v any) (json.RawMessage, error) {
	obj := map[string]json.RawMessage{}
	if len(doc) > 0 {
		if err := json.Unmarshal(doc, &obj); err != nil {
			return nil, fmt.Errorf("audit document: %w", err)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	obj[key] = b
	return json.Marshal(obj)
}

// Location errors every backend returns alike.
var (
	ErrParentNotFound  = gmc.Errorf(gmc.ErrNotFound, "parent_not_found", "the parent location is not a location of this campaign")
	ErrLocationCycle   = gmc.Errorf(gmc.ErrConflict, "location_cycle", "a location cannot be moved below itself or one of its descendants")
	ErrLocationTooDeep = gmc.Errorf(gmc.ErrConflict, "location_too_deep", "the location tree may be at most %d levels deep", gmc.MaxLocationDepth)
	ErrHasChildren     = gmc.Errorf(gmc.ErrConflict, "location_has_children", "the location has children; delete with cascade=true to remove its whole subtree")
	ErrInvalidCursor   = gmc.Errorf(gmc.ErrInvalid, "invalid_cursor", "the page cursor is not valid")
)
