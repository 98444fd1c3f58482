package jobs

import (
	"context"
	"sync"
	"time"

	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/summary"
)

// RegisterSummarize registers the job that summarises a session
// (service.SummarizeArgs) with sum. An attempt stores everything or
// nothing, and proposals are keyed by session, kind and target, so an
// attempt run again after a crash doubles nothing.
func RegisterSummarize(q *Queue, svc *service.Service, sum summary.Summarizer) error {
	work := func(ctx context.Context, job *Job[service.SummarizeArgs]) error {
		res, err := svc.SummarizeSession(ctx, service.SummaryJob{SessionID: job.Args.SessionID, UserID: job.UserID, JobID: job.ID}, sum, progressEvery(ctx))
		if err != nil {
			return err
		}
		return SetResult(ctx, res)
	}
	return Register(q, work, WorkerOpts{Timeout: 30 * time.Minute})
}

// progressEvery reports each new step, and progress within a step at
// most every 200 ms, since each report writes to the database.
func progressEvery(ctx context.Context) func(float64, string) {
	var (
		mu   sync.Mutex
		at   time.Time
		last string
	)
	return func(f float64, msg string) {
		mu.Lock()
		defer mu.Unlock()
		if msg == last && time.Since(at) < 200*time.Millisecond {
			return
		}
		at, last = time.Now(), msg
		_ = Progress(ctx, f, msg)
	}
}
