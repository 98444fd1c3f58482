package gmc

import "time"

// DndBeyondLink ties a character to the D&D Beyond character it was
// imported from, and keeps the document as D&D Beyond sent it, for what
// a later version of the importer may read from it.
type DndBeyondLink struct {
	CharacterID string
	CampaignID  string
	// DndBeyondID is D&D Beyond's character id; a campaign links each at
	// most once.
	DndBeyondID int64
	// Document is the raw character document (any of the accepted
	// shapes); nil in lists.
	Document []byte
	// LinkedBy is the member who imported the character last; the
	// periodic sync writes in their name.
	LinkedBy string
	SyncedAt time.Time
}
