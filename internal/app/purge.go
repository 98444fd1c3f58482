package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/gmc-project/gmc/internal/blob"
)

// maxBlobBytes bounds one file in the file store: four hours of a table
// recorded as multi-track FLAC stay well below it.
const maxBlobBytes = 4 << 30

// purgeInterval is how often recordings past their retention are deleted.
// Retention is counted in days, so a few minutes late is no matter.
const purgeInterval = 5 * time.Minute

// retentionInterval is how often the retention job (GMC_RETAIN_*) runs:
// periods are whole days, so an hour late is no matter.
const retentionInterval = time.Hour

// purgeRecordings deletes the recordings past their retention now and
// then every interval, until ctx ends; the same run deletes the blobs of
// deleted recordings and files that were left in orphaned_blobs. Every instance runs it; deleting
// a recording twice is harmless (see service.PurgeExpiredRecordings).
func (a *App) purgeRecordings(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := a.svc.PurgeExpiredRecordings(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("recording purge failed; retrying at the next run", slog.Int("deleted", n), slog.Any("error", err))
		case n > 0:
			a.log.Info("expired recordings deleted", slog.Int("deleted", n))
		}
		// Temporary files a crash or a kill left in the middle of a
		// write: never served, but they take room.
		if d, ok := a.blobs.(*blob.Dir); ok {
			if n, err := d.RemoveStaleTemps(blob.StaleTempAge); err != nil {
				a.log.Warn("stale temporary files not removed", slog.Any("error", err))
			} else if n > 0 {
				a.log.Info("stale temporary files removed", slog.Int("removed", n))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
