package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The kinds of job these tests run; they exist only here.

// stepArgs reports progress, then waits for the test to let it finish.
type stepArgs struct {
	Name string `json:"name"`
}

func (stepArgs) Kind() string { return "test.step" }

// failArgs fails every attempt.
type failArgs struct{}

func (failArgs) Kind() string { return "test.fail" }

// refusedArgs fails for good on its first attempt; laterArgs asks to be
// tried again later once, then succeeds.
type (
	refusedArgs struct{}
	laterArgs   struct{}
)

func (refusedArgs) Kind() string { return "test.refused" }
func (laterArgs) Kind() string   { return "test.later" }

// overBudgetArgs meets a campaign's spent monthly budget.
type overBudgetArgs struct{}

func (overBudgetArgs) Kind() string { return "test.over_budget" }

// holdArgs runs until its ctx ends (the queue stops) or, on a later
// attempt, finishes at once.
type holdArgs struct{}

func (holdArgs) Kind() string { return "test.hold" }

// backends opens a fresh, migrated database of each kind and returns
// River's backend on it.
var backends = []struct {
	name string
	open func(t *testing.T) jobs.Backend
}{
	{"sqlite", func(t *testing.T) jobs.Backend {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "gmc.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return jobs.SQLite(db.Writer())
	}},
	{"postgres", func(t *testing.T) jobs.Backend {
		db, err := postgres.Open(context.Background(), testenv.PostgresSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return jobs.Postgres(db.Pool())
	}},
}

// TestQueue runs the queue's contract on both databases.
func TestQueue(t *testing.T) {
	t.Parallel()
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				name string
				run  func(t *testing.T, b jobs.Backend)
			}{
				{"migrate is idempotent", testMigrate},
				{"progress and result", testProgress},
				{"retries then fails", testRetries},
				{"stop hands back a running job", testStopHandsBack},
				{"stop waits for a job that finishes", testStopWaits},
				{"unknown ids", testUnknown},
				{"fail ends at once, later waits", testFailAndLater},
				{"a spent budget fails at once", testOverBudget},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					b := be.open(t)
					if _, err := jobs.Migrate(context.Background(), b, nil); err != nil {
						t.Fatalf("Migrate = %v", err)
					}
					tc.run(t, b)
				})
			}
		})
	}
}

// recorder keeps what OnProgress was told.
type recorder struct {
	mu   sync.Mutex
	seen []gmc.Job
}

func (r *recorder) record(_ context.Context, j *gmc.Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, *j)
}

func (r *recorder) all() []gmc.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

// startQueue starts a queue with fast polling and retries; register adds
// the kinds it runs. The queue is stopped when t ends unless stopped before.
func startQueue(t *testing.T, b jobs.Backend, rec *recorder, register func(q *jobs.Queue) error) *jobs.Queue {
	t.Helper()
	cfg := jobs.Config{
		PollInterval: 50 * time.Millisecond,
		Backoff:      func(int) time.Duration { return 10 * time.Millisecond },
	}
	if rec != nil {
		cfg.OnProgress = rec.record
	}
	q, err := jobs.New(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := register(q); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
	return q
}

// waitFor polls the job until ok accepts it, failing after a while.
func waitFor(t *testing.T, q *jobs.Queue, id string, what string, ok func(*gmc.Job) bool) *gmc.Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := q.Job(context.Background(), id)
		if err != nil {
			t.Fatalf("Job(%s) = %v", id, err)
		}
		if ok(j) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s never %s; last %+v", id, what, j)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func owner() jobs.EnqueueOpts {
	return jobs.EnqueueOpts{CampaignID: "c1", SessionID: "s1", UserID: "u1", GMOnly: true}
}

func testMigrate(t *testing.T, b jobs.Backend) {
	n, err := jobs.Migrate(context.Background(), b, nil)
	if err != nil || n != 0 {
		t.Errorf("second Migrate = %d, %v; want 0, nil", n, err)
	}
}

func testProgress(t *testing.T, b jobs.Backend) {
	release := make(chan struct{})
	rec := &recorder{}
	q := startQueue(t, b, rec, func(q *jobs.Queue) error {
		return jobs.Register(q, func(ctx context.Context, j *jobs.Job[stepArgs]) error {
			if j.CampaignID != "c1" || j.SessionID != "s1" || j.UserID != "u1" || !j.GMOnly || j.Args.Name != "intro" || j.Attempt != 1 {
				return fmt.Errorf("job handed over wrong: %+v", j)
			}
			if err := jobs.Progress(ctx, 0.5, "halfway"); err != nil {
				return err
			}
			<-release
			if err := jobs.Progress(ctx, 7, "clamped"); err != nil {
				return err
			}
			return jobs.SetResult(ctx, map[string]int{"segments": 3})
		}, jobs.WorkerOpts{})
	})
	id, err := q.Enqueue(context.Background(), stepArgs{Name: "intro"}, owner())
	if err != nil {
		t.Fatal(err)
	}
	j := waitFor(t, q, id, "at half", func(j *gmc.Job) bool { return j.Progress == 0.5 })
	if j.State != gmc.JobRunning || j.Message != "halfway" || j.StartedAt == nil || j.FinishedAt != nil || j.Kind != "test.step" {
		t.Errorf("running job = %+v", j)
	}
	if j.CampaignID != "c1" || j.SessionID != "s1" || j.UserID != "u1" || !j.GMOnly {
		t.Errorf("running job's owner = %+v", j)
	}
	close(release)
	j = waitFor(t, q, id, "finished", (*gmc.Job).Finished)
	if j.State != gmc.JobSucceeded || j.Progress != 1 || j.Message != "clamped" || j.FinishedAt == nil || j.Error != "" || j.Attempt != 1 {
		t.Errorf("finished job = %+v", j)
	}
	if string(j.Result) != `{"segments":3}` {
		t.Errorf("result = %s", j.Result)
	}
	// The owner is told of the start, each progress and the end, in order.
	deadline := time.Now().Add(10 * time.Second)
	var got []string
	for time.Now().Before(deadline) {
		got = got[:0]
		for _, s := range rec.all() {
			got = append(got, fmt.Sprintf("%s %.1f %s", s.State, s.Progress, s.Message))
		}
		if len(got) == 4 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := []string{"running 0.0 ", "running 0.5 halfway", "running 1.0 clamped", "succeeded 1.0 clamped"}
	if !slices.Equal(got, want) {
		t.Errorf("OnProgress saw %q, want %q", got, want)
	}
	if err := jobs.Progress(context.Background(), 0.1, "outside"); err == nil {
		t.Error("Progress outside a job succeeded")
	}
}

func testRetries(t *testing.T, b jobs.Backend) {
	rec := &recorder{}
	q := startQueue(t, b, rec, func(q *jobs.Queue) error {
		return jobs.Register(q, func(ctx context.Context, j *jobs.Job[failArgs]) error {
			return fmt.Errorf("the recording is unreadable (attempt %d)", j.Attempt)
		}, jobs.WorkerOpts{})
	})
	opts := owner()
	opts.MaxAttempts = 3
	id, err := q.Enqueue(context.Background(), failArgs{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	j := waitFor(t, q, id, "finished", (*gmc.Job).Finished)
	if j.State != gmc.JobFailed || j.Attempt != 3 || j.Error != "the recording is unreadable (attempt 3)" || j.FinishedAt == nil {
		t.Errorf("failed job = %+v", j)
	}
	// Between attempts the job was queued with the last error.
	var queued bool
	for _, s := range rec.all() {
		queued = queued || (s.State == gmc.JobQueued && s.Error == "the recording is unreadable (attempt 1)")
	}
	if !queued {
		t.Errorf("OnProgress never saw the job queued again after attempt 1: %+v", rec.all())
	}
}

func testStopHandsBack(t *testing.T, b jobs.Backend) {
	started := make(chan struct{}, 1)
	var runs atomic.Int32
	register := func(q *jobs.Queue) error {
		return jobs.Register(q, func(ctx context.Context, j *jobs.Job[holdArgs]) error {
			if runs.Add(1) > 1 {
				return nil
			}
			started <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		}, jobs.WorkerOpts{})
	}
	q := startQueue(t, b, nil, register)
	id, err := q.Enqueue(context.Background(), holdArgs{}, owner())
	if err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		t.Errorf("Stop = %v", err)
	}
	// Handed back: queued, the interrupted attempt not counted.
	j, err := q.Job(context.Background(), id)
	if err != nil || j.State != gmc.JobQueued || j.Attempt != 0 || j.Error != "" {
		t.Fatalf("job after stop = %+v, %v; want queued with no attempt", j, err)
	}
	// The next queue on the database runs it again.
	q2 := startQueue(t, b, nil, register)
	j = waitFor(t, q2, id, "finished", (*gmc.Job).Finished)
	if j.State != gmc.JobSucceeded || j.Attempt != 1 || runs.Load() != 2 {
		t.Errorf("job after restart = %+v after %d runs", j, runs.Load())
	}
}

func testStopWaits(t *testing.T, b jobs.Backend) {
	started := make(chan struct{})
	q := startQueue(t, b, nil, func(q *jobs.Queue) error {
		return jobs.Register(q, func(ctx context.Context, j *jobs.Job[stepArgs]) error {
			close(started)
			// Longer than a poll, shorter than the stop's patience.
			select {
			case <-time.After(300 * time.Millisecond):
				return nil
			case <-ctx.Done():
				return errors.New("cancelled before it could finish")
			}
		}, jobs.WorkerOpts{})
	})
	id, err := q.Enqueue(context.Background(), stepArgs{}, owner())
	if err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		t.Errorf("Stop = %v", err)
	}
	j, err := q.Job(context.Background(), id)
	if err != nil || j.State != gmc.JobSucceeded {
		t.Errorf("job after stop = %+v, %v; want succeeded", j, err)
	}
}

func testUnknown(t *testing.T, b jobs.Backend) {
	q := startQueue(t, b, nil, func(q *jobs.Queue) error {
		return jobs.Register(q, func(context.Context, *jobs.Job[holdArgs]) error { return nil }, jobs.WorkerOpts{})
	})
	for _, id := range []string{"", "0", "-1", "007", "abc", "99999999", "1e3", "9223372036854775808"} {
		if _, err := q.Job(context.Background(), id); !errors.Is(err, gmc.ErrNotFound) {
			t.Errorf("Job(%q) = %v, want ErrNotFound", id, err)
		}
	}
	if _, err := q.Enqueue(context.Background(), stepArgs{}, jobs.EnqueueOpts{}); err == nil {
		t.Error("Enqueue without a campaign succeeded")
	}
	if _, err := q.Enqueue(context.Background(), stepArgs{}, owner()); err == nil {
		t.Error("Enqueue of a kind nobody registered succeeded")
	}
}

// testFailAndLater: Fail ends a job failed on its first attempt, attempts
// left or not, with its error as given; Later hands a job back without
// counting the attempt.
func testFailAndLater(t *testing.T, b jobs.Backend) {
	var mu sync.Mutex
	tries := 0
	q := startQueue(t, b, nil, func(q *jobs.Queue) error {
		if err := jobs.Register(q, func(ctx context.Context, j *jobs.Job[refusedArgs]) error {
			return jobs.Fail(ctx, errors.New("the webhook is gone"))
		}, jobs.WorkerOpts{}); err != nil {
			return err
		}
		return jobs.Register(q, func(ctx context.Context, j *jobs.Job[laterArgs]) error {
			mu.Lock()
			defer mu.Unlock()
			tries++
			if tries == 1 {
				return jobs.Later(10 * time.Millisecond)
			}
			return jobs.SetResult(ctx, map[string]int{"tries": tries})
		}, jobs.WorkerOpts{})
	})
	id, err := q.Enqueue(context.Background(), refusedArgs{}, owner())
	if err != nil {
		t.Fatal(err)
	}
	j := waitFor(t, q, id, "finished", (*gmc.Job).Finished)
	if j.State != gmc.JobFailed || j.Attempt != 1 || j.Error != "the webhook is gone" {
		t.Errorf("failed job = %+v, want failed on attempt 1 with the error as given", j)
	}
	id, err = q.Enqueue(context.Background(), laterArgs{}, owner())
	if err != nil {
		t.Fatal(err)
	}
	j = waitFor(t, q, id, "finished", (*gmc.Job).Finished)
	if j.State != gmc.JobSucceeded || j.Attempt != 1 || string(j.Result) != `{"tries":2}` {
		t.Errorf("job handed back once = %+v (result %s), want succeeded on attempt 1 after two tries", j, j.Result)
	}
}

// testOverBudget: a job whose work meets a campaign's spent budget fails
// on its first attempt, attempts left or not, with the budget's error:
// retrying cannot help before the month ends.
func testOverBudget(t *testing.T, b jobs.Backend) {
	var mu sync.Mutex
	tries := 0
	q := startQueue(t, b, nil, func(q *jobs.Queue) error {
		return jobs.Register(q, func(ctx context.Context, j *jobs.Job[overBudgetArgs]) error {
			mu.Lock()
			tries++
			mu.Unlock()
			return fmt.Errorf("summary: %w", &gmc.QuotaError{Budget: gmc.BudgetAITokens, Month: "2026-12", Used: 12, Limit: 10,
				ResetsAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), RetryAfterSeconds: 60})
		}, jobs.WorkerOpts{})
	})
	id, err := q.Enqueue(context.Background(), overBudgetArgs{}, owner())
	if err != nil {
		t.Fatal(err)
	}
	j := waitFor(t, q, id, "finished", (*gmc.Job).Finished)
	mu.Lock()
	defer mu.Unlock()
	if j.State != gmc.JobFailed || j.Attempt != 1 || tries != 1 || !strings.Contains(j.Error, "AI budget") || !strings.Contains(j.Error, "2027-01-01T00:00:00Z") {
		t.Errorf("job over budget = %+v after %d tries, want failed on its only attempt with the budget's error", j, tries)
	}
}
