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
	// SetRecordingStatus changes a recording's status (one of the
	// gmc.Recording* statuses). ErrNotFound.
	SetRecordingStatus(ctx context.Context, id, status string) error
	// DeleteRecording removes the recording with id and appends ev;
	// ErrNotFound. ev is nil for a deletion the server makes by itself
	// (retention, a recording not kept once transcribed), which follows
	// the campaign's audited settings and has no actor.
	//
	// Every recording row that goes, by this method or with its session,
	// campaign or account, leaves its BlobKey in OrphanedBlobs in the same
	// transaction, so that its blob can always be found and deleted.
	DeleteRecording(ctx context.Context, id string, ev *gmc.Event) error
	// OrphanedBlobs lists up to limit blob keys of deleted recordings
	// whose blobs may still be stored, in key order.
	OrphanedBlobs(ctx context.Context, limit int) ([]string, error)
	// ForgetOrphanedBlob drops key from OrphanedBlobs once its blob is
	// deleted; a key not there is no error.
	ForgetOrphanedBlob(ctx context.Context, key string) error
	// ExpiredRecordings lists up to limit recordings whose DeleteAfter is
	// at or before now, the longest overdue first.
	ExpiredRecordings(ctx context.Context, now time.Time, limit int) ([]*gmc.Recording, error)
}
