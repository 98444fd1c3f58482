package jobs

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/service"
)

// RegisterRetention registers the job that deletes what the instance's
// retention settings let go (service.PurgeRetained).
func RegisterRetention(q *Queue, svc *service.Service, r service.Retention) error {
	work := func(ctx context.Context, job *Job[service.RetentionArgs]) error {
		rep, err := svc.PurgeRetained(ctx, time.Now(), r)
		if err != nil {
			return err
		}
		return SetResult(ctx, rep)
	}
	return Register(q, work, WorkerOpts{Timeout: time.Hour})
}
