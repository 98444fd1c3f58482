package service

import (
	"context"
	"errors"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Retention is how long the instance keeps each kind of data
// (GMC_RETAIN_*); 0 keeps it until it is deleted by hand. It applies to
// every campaign on top of a campaign's own, shorter recording retention.
type Retention struct {
	Recordings  time.Duration
	Transcripts time.Duration
	Events      time.Duration
}

// Enabled says whether any kind of data has a retention period.
func (r Retention) Enabled() bool { return r.Recordings > 0 || r.Transcripts > 0 || r.Events > 0 }

// RetentionArgs is the periodic job that runs PurgeRetained.
type RetentionArgs struct{}

// Kind names the job.
func (RetentionArgs) Kind() string { return "retention.purge" }

// RetentionReport counts what one purge deleted.
type RetentionReport struct {
	Recordings int `json:"recordings"`
	Segments   int `json:"segments"`
	Events     int `json:"events"`
}

// PurgeRetained deletes the recordings (row and audio), transcript
// segments (with their keyword hits) and audit events older than r allows
// at now. It works in batches, each its own transaction, so a failure
// leaves what it had already deleted deleted and the next run carries on;
// running it twice at once, or again, is harmless.
func (s *Service) PurgeRetained(ctx context.Context, now time.Time, r Retention) (RetentionReport, error) {
	var rep RetentionReport
	if r.Recordings > 0 {
		cutoff := now.Add(-r.Recordings)
		for {
			batch, err := s.store.RecordingsCreatedBefore(ctx, cutoff, purgeBatch)
			if err != nil {
				return rep, err
			}
			for _, rec := range batch {
				// No actor and no event: the server deletes by the
				// instance's setting (see store.RecordingStore.DeleteRecording).
				if err := s.store.DeleteRecording(ctx, rec.ID, nil); err != nil && !errors.Is(err, gmc.ErrNotFound) {
					return rep, err
				}
				rep.Recordings++
			}
			if len(batch) < purgeBatch {
				break
			}
		}
		if s.blobs != nil {
			if err := s.sweepOrphanedBlobs(ctx); err != nil {
				return rep, err
			}
		}
	}
	var err error
	if r.Transcripts > 0 {
		if rep.Segments, err = deleteAll(ctx, now.Add(-r.Transcripts), s.store.DeleteSegmentsBefore); err != nil {
			return rep, err
		}
	}
	if r.Events > 0 {
		if rep.Events, err = deleteAll(ctx, now.Add(-r.Events), s.store.DeleteEventsBefore); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// retentionBatch is how many rows one delete of the retention job takes:
// small enough that SQLite's single writer is not held for long.
const retentionBatch = 1000

func deleteAll(ctx context.Context, cutoff time.Time, del func(context.Context, time.Time, int) (int, error)) (int, error) {
	total := 0
	for {
		n, err := del(ctx, cutoff, retentionBatch)
		total += n
		if err != nil || n < retentionBatch {
			return total, err
		}
	}
}
