package httpapi

import (
	"context"
	"encoding/json"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

// LocationPath names one location in a path.
type LocationPath struct {
	LocationID string `path:"location_id" format:"uuid" doc:"Location id"`
}

// LocationOutput answers with one location.
type LocationOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     *gmc.Location
}

func locationOut(l *gmc.Location) *LocationOutput {
	return &LocationOutput{ETag: etag(l.Version), Body: l}
}

// LocationBody is a location's editable fields, a PUT body: absent
// documents are {} and an absent visibility is gm. A location's place in
// the tree changes only by a move.
type LocationBody struct {
	Name         string          `json:"name" maxLength:"255" example:"The Yawning Portal"`
	LocationType string          `json:"location_type,omitempty" maxLength:"255" example:"tavern"`
	Description  string          `json:"description,omitempty" maxLength:"100000"`
	Metadata     json.RawMessage `json:"metadata,omitempty" doc:"A JSON object (at most 256 KiB): population, ruler, anything"`
	Coordinates  json.RawMessage `json:"coordinates,omitempty" doc:"A JSON object (at most 256 KiB), e.g. {\"x\": 12, \"y\": 40} on the parent's map"`
	Visibility   gmc.Visibility  `json:"visibility,omitempty" enum:"gm,players" doc:"Who sees it (gm by default); below a GM-only location players see nothing"`
}

type locationCreateInput struct {
	CampaignPath
	Body struct {
		LocationBody
		ParentID *string `json:"parent_id,omitempty" format:"uuid" nullable:"true" doc:"The location it lies in; none for a root"`
	}
}

func (a *api) handleLocationCreate(ctx context.Context, uid string, in *locationCreateInput) (*LocationOutput, error) {
	b := in.Body
	l, err := a.svc.CreateLocation(ctx, uid, in.CampaignID, service.LocationParams{ParentID: b.ParentID, Name: b.Name, LocationType: b.LocationType,
		Description: b.Description, Metadata: b.Metadata, Coordinates: b.Coordinates, Visibility: b.Visibility})
	if err != nil {
		return nil, err
	}
	out := locationOut(l)
	out.Location = BasePath + "/locations/" + l.ID
	return out, nil
}

// TreePageInput is the paging query of location lists. They are in tree
// order, so their cursor is the last location's materialised path, not
// an id.
type TreePageInput struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size"`
	Cursor string `query:"cursor" maxLength:"1200" pattern:"^(/[0-9a-f-]{36})+/$" doc:"next_cursor of the previous page"`
}

type locationListInput struct {
	CampaignPath
	TreePageInput
	ParentID string `query:"parent_id" format:"uuid" doc:"List the children of this location (with flat=true: everything below it)"`
	Flat     bool   `query:"flat" doc:"List every level, in tree order (each location before its descendants)"`
}

func (a *api) handleLocationList(ctx context.Context, uid string, in *locationListInput) (*ListOutput[*gmc.Location], error) {
	items, next, err := a.svc.Locations(ctx, uid, service.LocationQuery{CampaignID: in.CampaignID, ParentID: in.ParentID, Subtree: in.Flat, Page: gmc.Page{Limit: in.Limit, Cursor: in.Cursor}})
	if err != nil {
		return nil, err
	}
	return list(items, next), nil
}

// LocationViewOutput answers with a location, its breadcrumb and its
// children count.
type LocationViewOutput struct {
	ETag string `header:"ETag"`
	Body *service.LocationView
}

func (a *api) handleLocationGet(ctx context.Context, uid string, in *LocationPath) (*LocationViewOutput, error) {
	v, err := a.svc.Location(ctx, uid, in.LocationID)
	if err != nil {
		return nil, err
	}
	return &LocationViewOutput{ETag: etag(v.Version), Body: v}, nil
}

type locationPutInput struct {
	LocationPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    LocationBody
}

func (a *api) handleLocationPut(ctx context.Context, uid string, in *locationPutInput) (*LocationOutput, error) {
	b := in.Body
	if b.Visibility == "" {
		b.Visibility = gmc.VisibleGM
	}
	return a.updateLocation(ctx, uid, in.LocationID, in.IfMatch, service.LocationUpdate{Name: &b.Name, LocationType: &b.LocationType, Description: &b.Description,
		Metadata: &b.Metadata, Coordinates: &b.Coordinates, Visibility: &b.Visibility})
}

type locationPatchInput struct {
	LocationPath
	IfMatch string `header:"If-Match" doc:"Version the change is based on"`
	Body    struct {
		Name         *string         `json:"name,omitempty" maxLength:"255"`
		LocationType *string         `json:"location_type,omitempty" maxLength:"255"`
		Description  *string         `json:"description,omitempty" maxLength:"100000"`
		Metadata     json.RawMessage `json:"metadata,omitempty" doc:"A JSON object; null resets it to {}"`
		Coordinates  json.RawMessage `json:"coordinates,omitempty" doc:"A JSON object; null resets it to {}"`
		Visibility   *gmc.Visibility `json:"visibility,omitempty" enum:"gm,players"`
	}
}

func (a *api) handleLocationPatch(ctx context.Context, uid string, in *locationPatchInput) (*LocationOutput, error) {
	b := in.Body
	upd := service.LocationUpdate{Name: b.Name, LocationType: b.LocationType, Description: b.Description, Visibility: b.Visibility}
	if b.Metadata != nil {
		upd.Metadata = &b.Metadata
	}
	if b.Coordinates != nil {
		upd.Coordinates = &b.Coordinates
	}
	return a.updateLocation(ctx, uid, in.LocationID, in.IfMatch, upd)
}

func (a *api) updateLocation(ctx context.Context, uid, id, ifMatchHeader string, upd service.LocationUpdate) (*LocationOutput, error) {
	var err error
	if upd.IfMatch, err = ifMatch(ifMatchHeader); err != nil {
		return nil, err
	}
	l, err := a.svc.UpdateLocation(ctx, uid, id, upd)
	if err != nil {
		return nil, err
	}
	return locationOut(l), nil
}

type locationMoveInput struct {
	LocationPath
	IfMatch string `header:"If-Match" doc:"Version the move is based on"`
	Body    struct {
		ParentID *string `json:"parent_id" format:"uuid" doc:"The new parent, or null to make the location a root"`
	}
}

func (a *api) handleLocationMove(ctx context.Context, uid string, in *locationMoveInput) (*LocationOutput, error) {
	v, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	l, err := a.svc.MoveLocation(ctx, uid, in.LocationID, in.Body.ParentID, v)
	if err != nil {
		return nil, err
	}
	return locationOut(l), nil
}

type locationDeleteInput struct {
	LocationPath
	IfMatch string `header:"If-Match" doc:"Version the deletion is based on"`
	Cascade bool   `query:"cascade" doc:"Delete the whole subtree too; without it a location with children is not deleted (409)"`
}

func (a *api) handleLocationDelete(ctx context.Context, uid string, in *locationDeleteInput) (*struct{}, error) {
	v, err := ifMatch(in.IfMatch)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.DeleteLocation(ctx, uid, in.LocationID, in.Cascade, v)
}
