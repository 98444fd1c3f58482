package store

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// RetentionStore finds and deletes what the instance's retention settings
// (GMC_RETAIN_*) let go. Each method works on at most limit rows, so that a
// first run over years of data holds no long write lock; callers repeat
// while a batch comes back full.
type RetentionStore interface {
	// RecordingsCreatedBefore lists up to limit recordings created before
	// t, oldest first. They are deleted with DeleteRecording, which keeps
	// their blob keys for the blob sweep.
	RecordingsCreatedBefore(ctx context.Context, t time.Time, limit int) ([]*gmc.Recording, error)
	// DeleteSegmentsBefore deletes up to limit transcript segments created
	// before t, oldest first, with their keyword hits, and returns how many
	// it deleted.
	DeleteSegmentsBefore(ctx context.Context, t time.Time, limit int) (int, error)
	// DeleteEventsBefore deletes up to limit audit events that happened
	// before t, oldest first, and returns how many it deleted.
	DeleteEventsBefore(ctx context.Context, t time.Time, limit int) (int, error)
}
