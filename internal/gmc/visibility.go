package gmc

import (
	"encoding/json"
	"fmt"
)

// Visibility says who may see an entity: the GMs only, or every member.
type Visibility string

// Visibilities.
const (
	VisibleGM      Visibility = "gm"
	VisiblePlayers Visibility = "players"
)

// Valid reports whether v is known.
func (v Visibility) Valid() bool { return v == VisibleGM || v == VisiblePlayers }

// VisibleTo reports whether a member with role r may see something with
// visibility v.
func (v Visibility) VisibleTo(r Role) bool { return r == RoleGM || v == VisiblePlayers }

// MaxJSONObjectBytes bounds free-form JSON fields such as stats and notes.
const MaxJSONObjectBytes = 256 << 10

// ValidateJSONObject checks that raw is absent or a JSON object of at most
// max bytes.
func ValidateJSONObject(v *Validator, location string, raw json.RawMessage, max int) {
	if len(raw) == 0 {
		return
	}
	if len(raw) > max {
		v.Add(location, "must be at most %d bytes", max)
		return
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		v.Add(location, "must be a JSON object")
	}
}

// EntityRef names one entity of a campaign, for change notifications.
type EntityRef struct {
	CampaignID string
	Type       string
	ID         string
	Action     string
	// Visibility of the entity after the change (before it, for deletes):
	// changes to GM-only entities reach GMs only.
	Visibility Visibility
}

func (r EntityRef) String() string { return fmt.Sprintf("%s %s/%s", r.Action, r.Type, r.ID) }
