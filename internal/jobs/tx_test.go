package jobs_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/testenv"
)

// stores opens a fresh, migrated store of each kind with River's backend
// on the same database.
var stores = []struct {
	name string
	open func(t *testing.T) (store.Store, jobs.Backend)
}{
	{"sqlite", func(t *testing.T) (store.Store, jobs.Backend) {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "gmc.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		b := jobs.SQLite(db.Writer())
		if _, err := jobs.Migrate(context.Background(), b, nil); err != nil {
			t.Fatal(err)
		}
		return db, b
	}},
	{"postgres", func(t *testing.T) (store.Store, jobs.Backend) {
		db, err := postgres.Open(context.Background(), testenv.PostgresSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		b := jobs.Postgres(db.Pool())
		if _, err := jobs.Migrate(context.Background(), b, nil); err != nil {
			t.Fatal(err)
		}
		return db, b
	}},
}

// TestEnqueueTx checks that a job enqueued inside a store transaction
// shares its fate: rolled back with it, committed with it; and that a
// unique job is not doubled while one is unfinished.
func TestEnqueueTx(t *testing.T) {
	t.Parallel()
	for _, be := range stores {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, b := be.open(t)
			release := make(chan struct{})
			q := startQueue(t, b, nil, func(q *jobs.Queue) error {
				return jobs.Register(q, func(ctx context.Context, j *jobs.Job[stepArgs]) error {
					if j.Args.Name == "held" {
						select {
						case <-release:
						case <-ctx.Done():
							return ctx.Err()
						}
					}
					return nil
				}, jobs.WorkerOpts{})
			})
			now := time.Now().UTC().Truncate(time.Microsecond)
			user := func(name string) *gmc.User {
				return &gmc.User{ID: uuid.NewString(), Email: name + "@example.org", DisplayName: name, PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
			}

			// Rolled back: neither the user nor the job exists.
			var rolledBack string
			errAbort := errors.New("abort")
			gone := user("rolled-back")
			err := st.InTx(ctx, func(tx store.Store) error {
				if err := tx.CreateUser(ctx, gone); err != nil {
					return err
				}
				id, err := q.EnqueueTx(ctx, tx, stepArgs{Name: "rolled back"}, owner())
				if err != nil {
					return err
				}
				rolledBack = id
				return errAbort
			})
			if !errors.Is(err, errAbort) {
				t.Fatalf("InTx = %v, want the abort", err)
			}
			if rolledBack == "" {
				t.Fatal("EnqueueTx returned no id")
			}
			if _, err := q.Job(ctx, rolledBack); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("job of a rolled-back transaction: Job = %v, want not found", err)
			}
			if _, err := st.User(ctx, gone.ID); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("user of a rolled-back transaction: %v, want not found", err)
			}

			// Committed: the job runs.
			var committed string
			if err := st.InTx(ctx, func(tx store.Store) error {
				if err := tx.CreateUser(ctx, user("committed")); err != nil {
					return err
				}
				var err error
				committed, err = q.EnqueueTx(ctx, tx, stepArgs{Name: "committed"}, owner())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, q, committed, "succeeded", func(j *gmc.Job) bool { return j.State == gmc.JobSucceeded })

			// Outside a transaction EnqueueTx refuses rather than insert
			// beside the unit of work.
			if _, err := q.EnqueueTx(ctx, st, stepArgs{Name: "no tx"}, owner()); err == nil {
				t.Error("EnqueueTx outside InTx succeeded")
			}

			// Unique: a second enqueue while the first is unfinished
			// returns the first; once it finished, a new one is stored.
			opts := owner()
			opts.Unique = true
			first, err := q.Enqueue(ctx, stepArgs{Name: "held"}, opts)
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, q, first, "running", func(j *gmc.Job) bool { return j.State == gmc.JobRunning })
			var second string
			if err := st.InTx(ctx, func(tx store.Store) error {
				var err error
				second, err = q.EnqueueTx(ctx, tx, stepArgs{Name: "held"}, opts)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if second != first {
				t.Errorf("unique job enqueued twice: %s then %s", first, second)
			}
			other, err := q.Enqueue(ctx, stepArgs{Name: "other"}, opts)
			if err != nil || other == first {
				t.Errorf("a unique job with other args = %q, %v; want a new job", other, err)
			}
			close(release)
			waitFor(t, q, first, "succeeded", func(j *gmc.Job) bool { return j.State == gmc.JobSucceeded })
			third, err := q.Enqueue(ctx, stepArgs{Name: "held"}, opts)
			if err != nil || third == first {
				t.Errorf("unique job after the first finished = %q, %v; want a new job", third, err)
			}
			waitFor(t, q, third, "succeeded", func(j *gmc.Job) bool { return j.State == gmc.JobSucceeded })
		})
	}
}
