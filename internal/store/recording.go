package store

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// RecordingStore keeps the metadata of session recordings; their audio is
// in the file store (package blob) under each one's BlobKey.
type RecordingStore interface {
	// CreateRecording inserts r and appends ev. ErrNotFound when its
	// campaign or session does not exist; ErrConflict when another
	// recording has its BlobKey.
	CreateRecording(ctx context.Context, r *gmc.Recording, ev *gmc.Event) error
	// Recording returns the recording with id, or ErrNotFound.
	Recording(ctx context.Context, id string) (*gmc.Recording, error)
	// Recordings lists a session's recordings in id (creation) order.
	Recordings(ctx context.Context, sessionID string) ([]*gmc.Recording, error)
	// DeleteRecording removes the recording with id and appends ev;
	// ErrNotFound. ev is nil for a deletion the retention purge makes,
	// which follows the campaign's (audited) settings and has no actor.
	DeleteRecording(ctx context.Context, id string, ev *gmc.Event) error
	// ExpiredRecordings lists up to limit recordings whose DeleteAfter is
	// at or before now, the longest overdue first.
	ExpiredRecordings(ctx context.Context, now time.Time, limit int) ([]*gmc.Recording, error)
}
