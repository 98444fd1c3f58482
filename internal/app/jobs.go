package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
)

// registerJobs registers the product's kinds of background job. Each
// kind's work function lives with its concern (speech, ai…).
func registerJobs(q *jobs.Queue) error {
	_ = q
	return nil
}

// JobBackend is River's database: the store's own, through its handle.
func JobBackend(st store.Store) (jobs.Backend, error) {
	switch db := st.(type) {
	case *sqlite.DB:
		return jobs.SQLite(db.Writer()), nil
	case *postgres.DB:
		return jobs.Postgres(db.Pool()), nil
	}
	return jobs.Backend{}, fmt.Errorf("jobs: no River driver for the %s store", st.Backend())
}

// MigrateJobs brings River's tables up to date in the store's database
// and returns how many of its migrations ran.
func MigrateJobs(ctx context.Context, st store.Store, log *slog.Logger) (int, error) {
	b, err := JobBackend(st)
	if err != nil {
		return 0, err
	}
	return jobs.Migrate(ctx, b, log)
}

// openJobs migrates River's tables and builds the queue (not started).
func (a *App) openJobs(ctx context.Context, cfg jobs.Config) error {
	b, err := JobBackend(a.store)
	if err != nil {
		return err
	}
	if _, err := jobs.Migrate(ctx, b, a.log); err != nil {
		return err
	}
	a.jobs, err = jobs.New(b, cfg)
	return err
}

// startJobs registers every kind of job and starts the workers.
func (a *App) startJobs(ctx context.Context, extra []func(*jobs.Queue) error) error {
	for _, reg := range append([]func(*jobs.Queue) error{registerJobs}, extra...) {
		if err := reg(a.jobs); err != nil {
			return err
		}
	}
	if err := a.jobs.Start(ctx); err != nil {
		return err
	}
	a.jobsRunning.Store(true)
	return nil
}

// stopJobs lets running jobs finish until ctx ends, then hands back the
// rest; the first call stops the queue, later ones do nothing.
func (a *App) stopJobs(ctx context.Context) error {
	if !a.jobsRunning.Swap(false) {
		return nil
	}
	a.stopEmbedPoll()
	return a.jobs.Stop(ctx)
}
