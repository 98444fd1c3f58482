package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/testenv"
)

// tallyArgs is a kind of job these tests run: it reports progress, waits
// for the test when told to hold, and counts.
type tallyArgs struct {
	Hold bool `json:"hold"`
}

func (tallyArgs) Kind() string { return "test.tally" }

// brokenArgs fails every attempt.
type brokenArgs struct{}

func (brokenArgs) Kind() string { return "test.broken" }

// jobProgress is the data of job.progress.
type jobProgress struct {
	JobID    string  `json:"job_id"`
	Kind     string  `json:"kind"`
	State    string  `json:"state"`
	Progress float64 `json:"progress"`
	Message  string  `json:"message"`
	Error    string  `json:"error"`
}

// awaitJob returns the next job.progress of job id that satisfies ok.
func (c *client) awaitJob(id string, ok func(jobProgress) bool) jobProgress {
	c.t.Helper()
	for range 50 {
		var p jobProgress
		if err := json.Unmarshal(c.await("job.progress").Data, &p); err != nil {
			c.t.Fatalf("%s: job.progress: %v", c.name, err)
		}
		if p.JobID == id && ok(p) {
			return p
		}
	}
	c.t.Fatalf("%s: no matching job.progress of job %s", c.name, id)
	return jobProgress{}
}

// TestJobs runs background jobs in the real server on both databases: a
// job's progress shows over GET /jobs/{job_id} and on the session's
// socket, to the job campaign's members only, and a job that keeps
// failing ends failed with its error.
func TestJobs(t *testing.T) {
	t.Parallel()
	for _, s := range []struct {
		name string
		cfg  func(t *testing.T) config.Config
	}{
		{"embedded", func(*testing.T) config.Config { return config.Config{} }},
		{"postgres+redis", func(t *testing.T) config.Config {
			return config.Config{DatabaseURL: testenv.PostgresSchema(t), RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.RedisPrefix(t)}
		}},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			in := startInstance(t, s.cfg(t),
				app.WithJobConfig(func(c *jobs.Config) {
					c.PollInterval = 50 * time.Millisecond
					c.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
				}),
				app.WithJobs(func(q *jobs.Queue) error {
					return errors.Join(
						jobs.Register(q, func(ctx context.Context, j *jobs.Job[tallyArgs]) error {
							if err := jobs.Progress(ctx, 0.25, "reading the recording"); err != nil {
								return err
							}
							if j.Args.Hold {
								select {
								case <-release:
								case <-ctx.Done():
									return ctx.Err()
								}
							}
							return jobs.SetResult(ctx, map[string]any{"segments": 12})
						}, jobs.WorkerOpts{}),
						jobs.Register(q, func(ctx context.Context, j *jobs.Job[brokenArgs]) error {
							return errors.New("the recording is not audio")
						}, jobs.WorkerOpts{}),
					)
				}))
			tb := setUpTable(t, in)
			_, outsider := in.signUp("outsider@example.com")
			in.call("POST", "/campaigns", outsider, map[string]any{"name": "Elsewhere"}, 201)
			gm := in.mustDial("gm", tb.sessionID, tb.gm)
			p1 := in.mustDial("p1", tb.sessionID, tb.p1)
			for _, c := range []*client{gm, p1} {
				c.send("ping", nil) // ends the hub's resume grace: live messages flow at once
			}
			q := in.app.Jobs()
			ctx := context.Background()

			// A job for the whole table.
			id, err := q.Enqueue(ctx, tallyArgs{Hold: true}, jobs.EnqueueOpts{CampaignID: tb.campaignID, SessionID: tb.sessionID, UserID: tb.gmID})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []*client{gm, p1} {
				p := c.awaitJob(id, func(p jobProgress) bool { return p.Progress == 0.25 })
				if p.State != "running" || p.Message != "reading the recording" || p.Kind != "test.tally" {
					t.Errorf("%s: job.progress = %+v", c.name, p)
				}
			}
			got := in.call("GET", "/jobs/"+id, tb.p1, nil, 200)
			if got["state"] != "running" || got["progress"] != 0.25 || got["message"] != "reading the recording" ||
				got["campaign_id"] != tb.campaignID || got["session_id"] != tb.sessionID || got["attempt"] != 1.0 || got["started_at"] == nil {
				t.Errorf("running job = %v", got)
			}
			if _, ok := got["user_id"]; ok {
				t.Errorf("job shows who started it: %v", got)
			}
			in.call("GET", "/jobs/"+id, outsider, nil, 404)
			in.call("GET", "/jobs/424242", tb.gm, nil, 404)
			in.call("GET", "/jobs/not-a-job", tb.gm, nil, 404)

			close(release)
			for _, c := range []*client{gm, p1} {
				c.awaitJob(id, func(p jobProgress) bool { return p.State == "succeeded" && p.Progress == 1 })
			}
			got = in.call("GET", "/jobs/"+id, tb.obs, nil, 200)
			if got["state"] != "succeeded" || got["finished_at"] == nil || got["error"] != nil {
				t.Errorf("finished job = %v", got)
			}
			if r, _ := json.Marshal(got["result"]); string(r) != `{"segments":12}` {
				t.Errorf("result = %s", r)
			}

			// A GM-only job is the GMs' alone, on the socket as over HTTP.
			secret, err := q.Enqueue(ctx, tallyArgs{}, jobs.EnqueueOpts{CampaignID: tb.campaignID, SessionID: tb.sessionID, UserID: tb.gmID, GMOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			gm.awaitJob(secret, func(p jobProgress) bool { return p.State == "succeeded" })
			p1.silent("job.progress", 300*time.Millisecond)
			in.call("GET", "/jobs/"+secret, tb.gm, nil, 200)
			in.call("GET", "/jobs/"+secret, tb.p1, nil, 404)

			// A job that keeps failing ends failed, with its error.
			broken, err := q.Enqueue(ctx, brokenArgs{}, jobs.EnqueueOpts{CampaignID: tb.campaignID, SessionID: tb.sessionID, MaxAttempts: 2})
			if err != nil {
				t.Fatal(err)
			}
			p := p1.awaitJob(broken, func(p jobProgress) bool { return p.State == "failed" })
			if p.Error != "the recording is not audio" {
				t.Errorf("failed job.progress = %+v", p)
			}
			got = in.call("GET", "/jobs/"+broken, tb.p1, nil, 200)
			if got["state"] != "failed" || got["attempt"] != 2.0 || got["error"] != "the recording is not audio" || got["finished_at"] == nil {
				t.Errorf("failed job = %v", got)
			}
		})
	}
}

// heldArgs is a kind of job that, on its first run in a process, runs
// until the server stops it.
type heldArgs struct{}

func (heldArgs) Kind() string { return "test.held" }

// TestJobsSurviveShutdown stops a server while a job runs: the job is
// handed back within the shutdown timeout and the next server on the
// same data runs it to the end.
func TestJobsSurviveShutdown(t *testing.T) {
	t.Parallel()
	cfg := config.Config{DataDir: t.TempDir(), SecretKey: strings.Repeat("s", 32), ShutdownTimeout: 200 * time.Millisecond}
	started := make(chan struct{}, 1)
	serve := func(hold bool) (*app.App, context.CancelFunc, chan error) {
		a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), "test",
			app.WithJobConfig(func(c *jobs.Config) { c.PollInterval = 50 * time.Millisecond }),
			app.WithJobs(func(q *jobs.Queue) error {
				return jobs.Register(q, func(ctx context.Context, j *jobs.Job[heldArgs]) error {
					if !hold {
						return nil
					}
					started <- struct{}{}
					<-ctx.Done()
					return ctx.Err()
				}, jobs.WorkerOpts{})
			}))
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- errors.Join(a.Serve(ctx, ln), a.Close()) }()
		return a, cancel, done
	}

	a, stop, done := serve(true)
	id, err := a.Jobs().Enqueue(context.Background(), heldArgs{}, jobs.EnqueueOpts{CampaignID: "c"})
	if err != nil {
		t.Fatal(err)
	}
	<-started
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v", err)
	}

	a, stop, done = serve(false)
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := a.Jobs().Job(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == "succeeded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job handed back never ran again: %+v", j)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
