package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/gmc-project/gmc/internal/service"
)

// RegisterBundle registers the jobs that export and import large
// campaigns (service.ExportArgs, service.ImportArgs) and the one that
// deletes the files they leave once those expire (service.DeleteBlobArgs).
// Progress is shown by GET /jobs/{job_id}: these jobs belong to no game
// session, so nothing goes to a session's table.
func RegisterBundle(q *Queue, svc *service.Service) error {
	export := func(ctx context.Context, job *Job[service.ExportArgs]) error {
		res, err := svc.RunExportJob(ctx, service.BundleJob{JobID: job.ID, UserID: job.UserID}, job.Args, progressEvery(ctx))
		if err != nil {
			return err
		}
		return SetResult(ctx, res)
	}
	imp := func(ctx context.Context, job *Job[service.ImportArgs]) error {
		res, err := svc.RunImportJob(ctx, service.BundleJob{JobID: job.ID, UserID: job.UserID}, job.Args, progressEvery(ctx))
		if err != nil {
			if job.Attempt >= job.MaxAttempts {
				// Failed for good: the document is of no more use.
				if derr := svc.DiscardImport(context.WithoutCancel(ctx), job.Args); derr != nil {
					err = errors.Join(err, derr)
				}
			}
			return err
		}
		return SetResult(ctx, res)
	}
	del := func(ctx context.Context, job *Job[service.DeleteBlobArgs]) error {
		return svc.DeleteBlob(ctx, job.Args.Key)
	}
	if err := Register(q, export, WorkerOpts{Timeout: time.Hour}); err != nil {
		return err
	}
	if err := Register(q, imp, WorkerOpts{Timeout: time.Hour}); err != nil {
		return err
	}
	return Register(q, del, WorkerOpts{Timeout: time.Minute})
}
