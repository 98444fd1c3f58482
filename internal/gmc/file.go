package gmc

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// File kinds: what an uploaded file is for, which decides what it may be
// attached to.
const (
	FilePortrait  = "portrait"
	FileMap       = "map"
	FileRecording = "recording"
	FileHandout   = "handout"
)

// FileKinds lists every file kind.
var FileKinds = []string{FilePortrait, FileMap, FileRecording, FileHandout}

// MaxFileNameLen bounds a file's display name.
const MaxFileNameLen = 255

// File is an uploaded file of a campaign (a portrait, a map, a recording,
// a handout). Its content is in the file store under BlobKey, which is
// made of ids only; Name is for display and downloads, never a path.
type File struct {
	ID          string `json:"id"`
	CampaignID  string `json:"campaign_id"`
	BlobKey     string `json:"-"`
	Name        string `json:"name"`
	ContentType string `json:"content_type" doc:"The type found in the content itself, not the one the client declared"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256" doc:"Hex SHA-256 of the content"`
	Kind        string `json:"kind" enum:"portrait,map,recording,handout"`
	// At most one of these is set: a portrait's character, a map's
	// location, a recording's session.
	CharacterID *string    `json:"character_id,omitempty"`
	LocationID  *string    `json:"location_id,omitempty"`
	SessionID   *string    `json:"session_id,omitempty"`
	Visibility  Visibility `json:"visibility"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
}

// AttachedTo returns the id of the entity the file is attached to, or "".
func (f *File) AttachedTo() string {
	for _, p := range []*string{f.CharacterID, f.LocationID, f.SessionID} {
		if p != nil {
			return *p
		}
	}
	return ""
}

// Validate checks the file's metadata and that its attachment suits its
// kind: portraits to characters, maps to locations, recordings to
// sessions, handouts to nothing.
func (f *File) Validate() error {
	var v Validator
	v.Check(f.Name != "" && utf8.ValidString(f.Name) && utf8.RuneCountInString(f.Name) <= MaxFileNameLen, "form.file",
		fmt.Sprintf("the file name must be 1 to %d characters", MaxFileNameLen))
	v.Check(f.Size >= 0, "form.file", "size must not be negative")
	v.Check(len(f.SHA256) == 64, "form.file", "sha256 must be 64 hex digits")
	v.Check(f.Visibility.Valid(), "form.visibility", "must be one of gm, players")
	attached := 0
	for _, p := range []*string{f.CharacterID, f.LocationID, f.SessionID} {
		if p != nil {
			attached++
		}
	}
	v.Check(attached <= 1, "form", "attach to at most one of character_id, location_id, session_id")
	switch f.Kind {
	case FilePortrait:
		v.Check(f.LocationID == nil && f.SessionID == nil, "form.character_id", "a portrait attaches to a character only")
	case FileMap:
		v.Check(f.CharacterID == nil && f.SessionID == nil, "form.location_id", "a map attaches to a location only")
	case FileRecording:
		v.Check(f.CharacterID == nil && f.LocationID == nil, "form.session_id", "a recording attaches to a session only")
	case FileHandout:
		v.Check(attached == 0, "form.kind", "a handout attaches to nothing")
	default:
		v.Add("form.kind", "must be one of portrait, map, recording, handout")
	}
	return v.Err()
}
