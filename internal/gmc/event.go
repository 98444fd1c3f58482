package gmc

import (
	"encoding/json"
	"time"
)

// Event is one entry of a campaign's audit log: who changed what, from
// what to what. Stores append it in the same transaction as the change.
type Event struct {
	ID         string          `json:"id"`
	CampaignID string          `json:"campaign_id"`
	ActorID    string          `json:"actor_id"`
	Action     string          `json:"action"`
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	At         time.Time       `json:"at"`
}

// Audit actions.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionDelete = "delete"
)
