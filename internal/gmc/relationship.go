package gmc

import (
	"time"
	"unicode/utf8"
)

// Relationship kinds with a fixed meaning; any other lower-case word
// (letters, digits, underscores, at most MaxKindLen) is a custom kind.
const (
	KindAlly     = "ally"
	KindEnemy    = "enemy"
	KindFamily   = "family"
	KindRomance  = "romance"
	KindRival    = "rival"
	KindEmployer = "employer"
	KindMemberOf = "member_of"
)

// Relationship limits.
const (
	MinAttitude = -100
	MaxAttitude = 100
	MaxKindLen  = 32
	MaxNoteLen  = 2_000
)

// Relationship is a directed edge between two characters of one campaign:
// how Source stands towards Target.
//
// A mutual relationship is a pair of edges, Source→Target and
// Target→Source, linked through PairID. The store keeps the pair in step:
// every change to one edge (kind, attitude, description, visibility) is
// made to the other in the same transaction, and deleting one deletes both.
type Relationship struct {
	ID          string     `json:"id"`
	CampaignID  string     `json:"campaign_id"`
	SourceID    string     `json:"source_id"`
	TargetID    string     `json:"target_id"`
	Kind        string     `json:"kind"`
	Attitude    int        `json:"attitude"`
	Description string     `json:"description"`
	Visibility  Visibility `json:"visibility"`
	Mutual      bool       `json:"mutual"`
	// PairID is the reverse edge of a mutual relationship.
	PairID    *string   `json:"pair_id"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// History lists every change, oldest first.
	History []RelationshipChange `json:"history"`
}

// RelationshipChange is one entry of a relationship's history.
type RelationshipChange struct {
	At time.Time `json:"at"`
	// SessionID is the game session the change happened in, if any.
	SessionID *string `json:"session_id"`
	// AttitudeBefore is nil for the entry that records the creation.
	AttitudeBefore *int   `json:"attitude_before"`
	AttitudeAfter  int    `json:"attitude_after"`
	Note           string `json:"note"`
	ActorID        string `json:"actor_id"`
}

// Validate checks a relationship's fields.
func (r *Relationship) Validate() error {
	var v Validator
	v.Check(ValidKind(r.Kind), "body.kind", "must be a lower-case word of at most 32 letters, digits or underscores, such as ally, enemy, family, romance, rival, employer, member_of")
	v.Check(r.Attitude >= MinAttitude && r.Attitude <= MaxAttitude, "body.attitude", "must be between -100 and 100")
	ValidateText(&v, "body.description", r.Description, MaxTextLen)
	v.Check(r.Visibility.Valid(), "body.visibility", "must be one of gm, players")
	v.Check(r.SourceID != r.TargetID, "body.target_id", "must be another character: a character has no relationship with itself")
	return v.Err()
}

// ValidKind reports whether kind is a known or well-formed custom kind.
func ValidKind(kind string) bool {
	if kind == "" || len(kind) > MaxKindLen || kind[0] < 'a' || kind[0] > 'z' {
		return false
	}
	for _, r := range kind {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// ValidateNote checks a history note.
func ValidateNote(v *Validator, location, note string) {
	v.Check(utf8.RuneCountInString(note) <= MaxNoteLen, location, "must be at most 2000 characters")
}

// InStep reports whether r and its reverse edge share what a mutual pair
// keeps in step.
func (r *Relationship) InStep(rev *Relationship) bool {
	return r.Kind == rev.Kind && r.Attitude == rev.Attitude && r.Description == rev.Description && r.Visibility == rev.Visibility
}
