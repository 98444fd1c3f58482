package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// FileQuery filters a campaign's files; empty fields match everything.
type FileQuery struct {
	Kind string
	// AttachedTo is the id of a character, location or session.
	AttachedTo string
}

// FileStore keeps the metadata of uploaded files; their content is in the
// file store (package blob) under each one's BlobKey.
type FileStore interface {
	// CreateFile inserts f and appends ev when the campaign's files,
	// with f, take no more than quota bytes (quota <= 0: no limit);
	// the check and the insert are one step, so concurrent uploads
	// cannot pass the quota together. ErrTooLarge over the quota;
	// ErrNotFound when the campaign, or the character, location or
	// session f is attached to, is not there or is of another campaign.
	// Several files may have the same BlobKey (content-addressed blobs
	// are shared).
	CreateFile(ctx context.Context, f *gmc.File, quota int64, ev *gmc.Event) error
	// File returns the file with id, or ErrNotFound.
	File(ctx context.Context, id string) (*gmc.File, error)
	// Files lists a campaign's files matching q in id (upload) order.
	Files(ctx context.Context, campaignID string, q FileQuery) ([]*gmc.File, error)
	// FileUsage is how many bytes the campaign's files take.
	FileUsage(ctx context.Context, campaignID string) (int64, error)
	// DeleteFile removes the file with id and appends ev; ErrNotFound.
	// Every file row that goes, by this method or with its campaign or
	// the entity it is attached to, leaves its BlobKey in OrphanedBlobs
	// in the same transaction.
	DeleteFile(ctx context.Context, id string, ev *gmc.Event) error
}
