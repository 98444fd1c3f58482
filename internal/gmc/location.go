package gmc

import (
	"encoding/json"
	"strings"
	"time"
)

// MaxLocationDepth is how deep the location tree may grow; a root is at
// depth 1. It bounds the materialised path (37 bytes a level) and the
// breadcrumb a GET returns.
const MaxLocationDepth = 32

// Location is a place of a campaign's world, one node of a tree.
//
// Who sees what: a location with visibility "gm" is hidden from players,
// and so is everything below it — a player never sees a child of a hidden
// location, whatever the child's own visibility. A location is visible to
// players when it and all its ancestors have visibility "players".
type Location struct {
	ID           string          `json:"id"`
	CampaignID   string          `json:"campaign_id"`
	ParentID     *string         `json:"parent_id"`
	Name         string          `json:"name"`
	LocationType string          `json:"location_type"`
	Description  string          `json:"description"`
	Metadata     json.RawMessage `json:"metadata"`
	Coordinates  json.RawMessage `json:"coordinates"`
	Visibility   Visibility      `json:"visibility"`
	// Depth is 1 for a root and one more for each level below.
	Depth int `json:"depth"`
	// Path is the materialised path "/<root id>/…/<parent id>/<id>/" the
	// store keeps, so that ancestors and whole subtrees are one indexed
	// query. Stores set it; clients never see it.
	Path      string    `json:"-"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Normalize trims the name and type and fills absent JSON documents with {},
// so that what is stored has one spelling.
func (l *Location) Normalize() {
	l.Name = strings.TrimSpace(l.Name)
	l.LocationType = strings.TrimSpace(l.LocationType)
	l.Metadata = compactObject(l.Metadata)
	l.Coordinates = compactObject(l.Coordinates)
}

// Validate checks a normalised location's editable fields.
func (l *Location) Validate() error {
	var v Validator
	ValidateName(&v, "body.name", l.Name)
	v.Check(len([]rune(l.LocationType)) <= MaxNameLen, "body.location_type", "must be at most 255 characters")
	ValidateText(&v, "body.description", l.Description, MaxTextLen)
	ValidateJSONObject(&v, "body.metadata", l.Metadata, MaxJSONObjectBytes)
	ValidateJSONObject(&v, "body.coordinates", l.Coordinates, MaxJSONObjectBytes)
	v.Check(l.Visibility.Valid(), "body.visibility", "must be one of gm, players")
	return v.Err()
}

// LocationPath is the materialised path of the location id below a parent
// with parentPath ("" for a root).
func LocationPath(parentPath, id string) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + id + "/"
}

// AncestorIDs returns the ids of the location's ancestors, root first.
func (l *Location) AncestorIDs() []string {
	ids := strings.Split(strings.Trim(l.Path, "/"), "/")
	return ids[:len(ids)-1]
}

// SubtreeRange returns the bounds lo ≤ p < hi that select the paths of the
// location with path and of all its descendants. A range instead of
// LIKE 'prefix%' because every B-tree index serves it on both backends
// whatever the LIKE settings: every path below ends in '/', and '0' is the
// byte after '/', so hi is the first string after all of them.
func SubtreeRange(path string) (lo, hi string) {
	return path, path[:len(path)-1] + "0"
}

// ValidLocationPath reports whether s has the shape of a materialised path
// (lists use the path of their last item as the page cursor).
func ValidLocationPath(s string) bool {
	if len(s) < 2 || s[0] != '/' || s[len(s)-1] != '/' || len(s) > MaxLocationDepth*37+1 {
		return false
	}
	for _, id := range strings.Split(s[1:len(s)-1], "/") {
		if !validID(id) {
			return false
		}
	}
	return true
}

// validID reports whether s looks like an id gmc writes: 36 characters of
// lower-case hex and hyphens.
func validID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for _, r := range s {
		if r != '-' && (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// LocationCrumb is one step of a location's breadcrumb.
type LocationCrumb struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	LocationType string `json:"location_type"`
}

// Crumb returns the breadcrumb step of l.
func (l *Location) Crumb() LocationCrumb {
	return LocationCrumb{ID: l.ID, Name: l.Name, LocationType: l.LocationType}
}

// VisibleToPlayers reports whether a location whose ancestors (root first,
// as stores return them) are given is visible to players: it and every
// ancestor must be.
func VisibleToPlayers(l *Location, ancestors []*Location) bool {
	if l.Visibility != VisiblePlayers {
		return false
	}
	for _, a := range ancestors {
		if a.Visibility != VisiblePlayers {
			return false
		}
	}
	return true
}
