package jobs

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/service"
)

// syncPause spaces the sync's requests to D&D Beyond's unofficial service.
const syncPause = time.Second

// RegisterDndBeyondSync registers the job that re-imports the characters
// linked to D&D Beyond that were last synced more than maxAge ago
// (service.DndBeyondSyncArgs). Characters that cannot be fetched are left
// as they are and counted as failed; the job itself fails only when the
// database does.
func RegisterDndBeyondSync(q *Queue, svc *service.Service, maxAge time.Duration) error {
	work := func(ctx context.Context, job *Job[service.DndBeyondSyncArgs]) error {
		rep, err := svc.SyncDndBeyond(ctx, time.Now().Add(-maxAge), syncPause)
		if err != nil {
			return err
		}
		return SetResult(ctx, map[string]int{"checked": rep.Checked, "updated": rep.Updated, "failed": rep.Failed})
	}
	// Each character is one request to D&D Beyond, a second apart; an
	// attempt ends after an hour, and the next run takes up the rest.
	return Register(q, work, WorkerOpts{Timeout: time.Hour})
}
