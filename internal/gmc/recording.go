package gmc

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Recording statuses: an upload is stored, then transcribed (or fails to be).
const (
	RecordingStored      = "stored"
	RecordingTranscribed = "transcribed"
	RecordingFailed      = "failed"
)

// Limits of a recording's metadata.
const (
	MaxRecordingFileNameLen    = 255
	MaxRecordingContentTypeLen = 127
	// MaxRecordingTracks bounds a multi-track upload (one track per
	// speaker; a table rarely has more than a dozen).
	MaxRecordingTracks = 64
)

// Recording is an audio file of a session kept in the file store under
// BlobKey. Only GMs see recordings: they hold the voices of everyone at
// the table.
type Recording struct {
	ID          string `json:"id"`
	CampaignID  string `json:"campaign_id"`
	SessionID   string `json:"session_id"`
	BlobKey     string `json:"-"`
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	SizeBytes   int64  `json:"size_bytes"`
	DurationMS  int64  `json:"duration_ms"`
	// Tracks is how many audio tracks the file has (one per speaker for
	// Discord-style recordings).
	Tracks    int       `json:"tracks"`
	Status    string    `json:"status" enum:"stored,transcribed,failed"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// DeleteAfter is when the retention purge deletes it; nil keeps it
	// until someone does.
	DeleteAfter *time.Time `json:"delete_after,omitempty"`
}

// Validate checks the recording's metadata.
func (r *Recording) Validate() error {
	var v Validator
	v.Check(r.FileName != "" && utf8.RuneCountInString(r.FileName) <= MaxRecordingFileNameLen, "file_name",
		fmt.Sprintf("must be 1 to %d characters", MaxRecordingFileNameLen))
	v.Check(r.ContentType != "" && len(r.ContentType) <= MaxRecordingContentTypeLen, "content_type",
		fmt.Sprintf("must be 1 to %d characters", MaxRecordingContentTypeLen))
	v.Check(r.SizeBytes >= 0, "size_bytes", "must not be negative")
	v.Check(r.DurationMS >= 0, "duration_ms", "must not be negative")
	v.Check(r.Tracks >= 1 && r.Tracks <= MaxRecordingTracks, "tracks", fmt.Sprintf("must be between 1 and %d", MaxRecordingTracks))
	v.Check(r.Status == RecordingStored || r.Status == RecordingTranscribed || r.Status == RecordingFailed, "status",
		"must be one of stored, transcribed, failed")
	return v.Err()
}
