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
	// AddOrphanedBlob adds key to OrphanedBlobs (a key there already is
	// no error): a blob written before the row that will refer to it, so
	// that the purge finds it should that row never be written.
	AddOrphanedBlob(ctx context.Context, key string) error
	// BlobReferenced reports whether a file or recording row has
	// BlobKey key; content-addressed blobs are shared by every file of
	// the same content.
	BlobReferenced(ctx context.Context, key string) (bool, error)
	// LockBlob holds blob key's lock until the transaction of InTx it
	// is called in ends; outside InTx it is an error. A transaction that
	// writes a row referring to key, and has checked that the blob is
	// stored, takes it shared; the purge takes it exclusive, then reads
	// BlobReferenced and deletes the blob only when nothing refers to
	// it. So a row committed with its blob checked keeps it: the purge
	// either deleted it before the check (which then fails and the blob
	// is written again) or sees the row. Every row deletion takes the
	// shared lock too (in the same transaction), so the purge never
	// reads a reference whose deletion is in flight. Shared holders never
	// wait for each other.
	LockBlob(ctx context.Context, key string, exclusive bool) error
	// ExpiredRecordings lists up to limit recordings whose DeleteAfter is
	// at or before now, the longest overdue first.
	ExpiredRecordings(ctx context.Context, now time.Time, limit int) ([]*gmc.Recording, error)
}
