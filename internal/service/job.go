package service

import (
	"context"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Jobs is the background job queue (package jobs, wired by app). The
// service sees jobs only through it, never River.
type Jobs interface {
	// Enqueue stores a new job and returns its id.
	Enqueue(ctx context.Context, args gmc.JobArgs, opts gmc.JobOpts) (string, error)
	// EnqueueTx stores a new job inside the unit of work of tx (a store
	// bound to InTx): it exists only if that transaction commits.
	EnqueueTx(ctx context.Context, tx store.Store, args gmc.JobArgs, opts gmc.JobOpts) (string, error)
	// Job returns a job by id, or gmc.ErrNotFound.
	Job(ctx context.Context, id string) (*gmc.Job, error)
}

// Job returns a background job to a member of its campaign. Jobs of other
// campaigns, and GM-only jobs asked for by players and observers, are not
// found, so that their existence does not leak.
func (s *Service) Job(ctx context.Context, userID, jobID string) (*gmc.Job, error) {
	if s.jobs == nil { // a service without a queue (tools) has no jobs
		return nil, notFound(gmc.ErrNotFound, "job")
	}
	j, err := s.jobs.Job(ctx, jobID)
	if err != nil {
		return nil, notFound(err, "job")
	}
	m, err := s.access(ctx, j.CampaignID, userID, gmc.RoleObserver)
	if errors.Is(err, gmc.ErrNotFound) && j.Kind == (ImportArgs{}).Kind() && j.UserID == userID {
		// An import's campaign exists once the job has made it; until
		// then the job is shown to the one who started it.
		return j, nil
	}
	if errors.Is(err, gmc.ErrNotFound) || (err == nil && j.GMOnly && m.Role != gmc.RoleGM) {
		return nil, gmc.Errorf(gmc.ErrNotFound, "job_not_found", "job not found")
	} else if err != nil {
		return nil, err
	}
	return j, nil
}
