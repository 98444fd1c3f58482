package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// JobPath names one background job in a path.
type JobPath struct {
	JobID string `path:"job_id" maxLength:"20" doc:"Job id" example:"42"`
}

// JobOutput answers with one background job.
type JobOutput struct {
	Body *gmc.Job
}

func (a *api) handleJobGet(ctx context.Context, uid string, in *JobPath) (*JobOutput, error) {
	j, err := a.svc.Job(ctx, uid, in.JobID)
	if err != nil {
		return nil, err
	}
	return &JobOutput{Body: j}, nil
}
