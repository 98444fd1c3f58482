// Package jobs runs gmc's background work on River: durable jobs with
// retries, in the same database as everything else (River's SQLite driver
// on the store's single writer, or its pgx driver on the store's pool), so
// the same job code runs embedded and on a server.
//
// The rest of the app sees a small surface: Register a work function for a
// kind of job, Enqueue a job of that kind for a campaign (and session),
// read a job back with Job, and from inside the work function report
// Progress and SetResult. River's types stay in here.
//
// A kind of job, registered in app's registerJobs before the queue starts:
//
//	type TranscribeArgs struct {
//		BlobID string `json:"blob_id"`
//	}
//
//	func (TranscribeArgs) Kind() string { return "speech.transcribe" }
//
//	jobs.Register(q, func(ctx context.Context, j *jobs.Job[TranscribeArgs]) error {
//		jobs.Progress(ctx, 0.5, "recognising speech")
//		return jobs.SetResult(ctx, map[string]int{"segments": n})
//	}, jobs.WorkerOpts{Timeout: time.Hour})
//
// and enqueued by the service (through its Jobs interface) for a campaign:
//
//	id, err := s.jobs.Enqueue(ctx, TranscribeArgs{BlobID: b}, gmc.JobOpts{
//		CampaignID: c, SessionID: gs, UserID: uid, GMOnly: true})
//
// A job's owner (campaign, session, user) is kept in River's job metadata
// under "gmc", and its progress, message and result in River's job output
// (metadata "output"), written through River's API: no table of our own.
package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/tracing"
)

// Args is the payload of one kind of job (see gmc.JobArgs). It is stored
// as JSON, so its fields need JSON names that do not change once shipped.
type Args = gmc.JobArgs

// EnqueueOpts says whose a new job is (see gmc.JobOpts).
type EnqueueOpts = gmc.JobOpts

// Job is one job handed to a work function.
type Job[T Args] struct {
	// ID is the job's id, as GET /jobs/{job_id} names it.
	ID   string
	Args T
	// Attempt counts from 1; a job is tried again after a failed attempt
	// until it reaches MaxAttempts.
	Attempt     int
	MaxAttempts int
	CampaignID  string
	SessionID   string
	UserID      string
	GMOnly      bool
}

// WorkFunc does one attempt of a job. It should return soon after ctx
// ends (the server is stopping: the job is handed back and tried again
// later). An error fails the attempt; its text is shown to the campaign's
// members, so it must not carry secrets.
type WorkFunc[T Args] func(ctx context.Context, job *Job[T]) error

// WorkerOpts tunes one kind of job.
type WorkerOpts struct {
	// Timeout bounds one attempt; 0 is DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds an attempt of a kind whose WorkerOpts set none.
const DefaultTimeout = 30 * time.Minute

// DefaultMaxAttempts is the tries of a job whose EnqueueOpts set none.
const DefaultMaxAttempts = 5

// maxErrorLen bounds the error text shown for a job.
const maxErrorLen = 1000

// Backend is the database River runs on; make one with SQLite or
// Postgres from the store's own handle.
type Backend struct {
	name    string
	migrate func(ctx context.Context, log *slog.Logger) (int, error)
	client  func(cfg *river.Config) (client, error)
}

// SQLite runs River on the store's write connection (sqlite.DB.Writer):
// River's SQLite driver wants a pool of one connection, and sharing ours
// keeps River's writes and the store's from colliding.
func SQLite(db *sql.DB) Backend {
	d := riversqlite.New(db)
	return Backend{
		name:    "sqlite",
		migrate: func(ctx context.Context, log *slog.Logger) (int, error) { return migrate(ctx, d, log) },
		client: func(cfg *river.Config) (client, error) {
			// SQLite has no LISTEN/NOTIFY; River polls.
			cfg.PollOnly = true
			c, err := river.NewClient(d, cfg)
			return txClient[*sql.Tx]{c}, err
		},
	}
}

// Postgres runs River on the store's pool (postgres.DB.Pool). River's
// tables go where the pool's search_path points, like the store's, so a
// schema per test isolates River too.
func Postgres(pool *pgxpool.Pool) Backend {
	d := riverpgxv5.New(pool)
	return Backend{
		name:    "postgres",
		migrate: func(ctx context.Context, log *slog.Logger) (int, error) { return migrate(ctx, d, log) },
		client: func(cfg *river.Config) (client, error) {
			c, err := river.NewClient(d, cfg)
			return txClient[pgx.Tx]{c}, err
		},
	}
}

func migrate[TTx any](ctx context.Context, d riverdriver.Driver[TTx], log *slog.Logger) (int, error) {
	m, err := rivermigrate.New(d, &rivermigrate.Config{Logger: quiet(log)})
	if err != nil {
		return 0, fmt.Errorf("river migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return 0, fmt.Errorf("river migrations: %w", err)
	}
	return len(res.Versions), nil
}

// Migrate brings River's own tables up to date; run it with the store's
// migrations (gmc migrate up, and at serve start). It returns how many
// River migrations ran.
func Migrate(ctx context.Context, b Backend, log *slog.Logger) (int, error) {
	return b.migrate(ctx, log)
}

// client is what Queue uses of River's generic Client; *river.Client of
// either driver has it.
type client interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobUpdate(ctx context.Context, id int64, params *river.JobUpdateParams) (*rivertype.JobRow, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
	// insertTx is InsertTx on the driver's transaction, handed over
	// untyped by the store (store.DriverTxer).
	insertTx(ctx context.Context, tx any, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// txClient adds insertTx to River's client of one driver.
type txClient[TTx any] struct{ *river.Client[TTx] }

func (c txClient[TTx]) insertTx(ctx context.Context, tx any, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	t, ok := tx.(TTx)
	if !ok {
		// A store of the other backend, or not in a transaction: inserting
		// outside it would break the all-or-nothing promise.
		return nil, fmt.Errorf("the store's transaction is a %T, not this queue's database", tx)
	}
	return c.InsertTx(ctx, t, args, opts)
}

// Config is what a Queue needs.
type Config struct {
	Logger *slog.Logger
	// Workers is how many jobs run at once in this process (GMC_JOB_WORKERS);
	// 0 means 2.
	Workers int
	// OnProgress is told every change of a job's progress or state that
	// its owner should see: each Progress call, and each end of an
	// attempt. It runs on the job's goroutine or the queue's event loop
	// and must not block long. app wires it to the live table.
	OnProgress func(ctx context.Context, job *gmc.Job)
	// Backoff is the wait before attempt n+1 after attempt n failed; nil
	// is River's default (n⁴ seconds with jitter).
	Backoff func(attempt int) time.Duration
	// PollInterval is how often an idle queue looks for new jobs where
	// the database cannot notify it (SQLite); 0 is River's default (1 s).
	PollInterval time.Duration
	// RescueAfter is how long an attempt may run before it is taken for
	// lost with a server that stopped without handing it back (killed,
	// crashed) and is run again; it also bounds every attempt, so that a
	// live attempt is never run twice. 0 is River's default (an hour
	// after DefaultTimeout).
	RescueAfter time.Duration
	// Metrics counts jobs by kind and state; nil counts nothing.
	Metrics *metrics.Metrics
	// Tracer starts a span per attempt; nil traces nothing.
	Tracer trace.TracerProvider
	// Periodic are jobs enqueued on a schedule, by one instance only
	// (River's leader), the first time when the queue starts, and at most
	// once per interval (counted from the interval's start). Their kinds
	// must be registered. They belong to no campaign, so GET /jobs shows
	// them to no one.
	Periodic []Periodic
}

// Periodic is a job enqueued every Interval.
type Periodic struct {
	Interval time.Duration
	Args     Args
}

// Queue is gmc's job queue. Register every kind before Start.
type Queue struct {
	cfg     Config
	log     *slog.Logger
	backend string
	workers *river.Workers
	client  client
	// kinds counts the registered kinds; started is set from Start to Stop.
	kinds   int
	started bool
	// stopEvents ends the event loop Start runs.
	stopEvents func()
	events     sync.WaitGroup
}

// New builds a queue on b. Register the work functions, then Start it.
func New(b Backend, cfg Config) (*Queue, error) {
	q := &Queue{cfg: cfg, log: cfg.Logger, backend: b.name, workers: river.NewWorkers()}
	if q.log == nil {
		q.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	rc := &river.Config{
		Logger:      quiet(q.log),
		Queues:      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:     q.workers,
		JobTimeout:  DefaultTimeout,
		MaxAttempts: DefaultMaxAttempts,
		// Finished jobs stay readable for a week, so that a client that
		// comes back later still learns how its job ended.
		CompletedJobRetentionPeriod: 7 * 24 * time.Hour,
		CancelledJobRetentionPeriod: 7 * 24 * time.Hour,
		DiscardedJobRetentionPeriod: 7 * 24 * time.Hour,
		FetchPollInterval:           cfg.PollInterval,
	}
	if cfg.PollInterval > 0 {
		// River refuses a fetch cooldown (100 ms by default) above the
		// poll interval.
		rc.FetchCooldown = min(cfg.PollInterval, 100*time.Millisecond)
	}
	if cfg.RescueAfter > 0 {
		rc.RescueStuckJobsAfter = cfg.RescueAfter
		rc.JobTimeout = min(DefaultTimeout, cfg.RescueAfter)
	}
	if cfg.Backoff != nil {
		rc.RetryPolicy = backoffPolicy(cfg.Backoff)
	}
	if len(cfg.Periodic) > 0 {
		meta, err := json.Marshal(map[string]owner{metaKey: {GMOnly: true}})
		if err != nil {
			return nil, err
		}
		for _, p := range cfg.Periodic {
			args, unique := p.Args, river.UniqueOpts{ByPeriod: p.Interval}
			// One attempt: the next run comes soon enough, and a retry
			// would only add to the work of the one after. Unique per
			// interval: restarts, and a new leader's first run, add none.
			insert := func() (river.JobArgs, *river.InsertOpts) {
				return args, &river.InsertOpts{Metadata: meta, MaxAttempts: 1, UniqueOpts: unique}
			}
			rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(p.Interval), insert,
				&river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true}))
		}
	}
	c, err := b.client(rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	q.client = c
	return q, nil
}

// Backend names the database the queue runs on.
func (q *Queue) Backend() string { return q.backend }

// Register makes q run jobs of T's kind with work. Call it before Start;
// a kind registered twice is an error.
func Register[T Args](q *Queue, work WorkFunc[T], opts WorkerOpts) error {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if q.cfg.RescueAfter > 0 {
		timeout = min(timeout, q.cfg.RescueAfter)
	}
	if err := river.AddWorkerSafely(q.workers, &worker[T]{q: q, work: work, timeout: timeout}); err != nil {
		return fmt.Errorf("jobs: register: %w", err)
	}
	q.kinds++
	return nil
}

// Start runs the queue's workers until Stop. ctx bounds only the start.
// A queue with no kind registered does not start (River refuses to):
// there is nothing it could run.
func (q *Queue) Start(ctx context.Context) error {
	if q.kinds == 0 {
		q.log.Info("no kind of background job registered; the job queue does not run")
		return nil
	}
	events, cancel := q.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled, river.EventKindJobSnoozed)
	q.stopEvents = cancel
	// River stops the client when the ctx given to Start ends; the queue
	// lives until Stop instead.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		cancel()
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.events.Go(func() {
		// Attempts end after the work function returned, when River has
		// recorded the outcome: this is where owners learn it.
		for ev := range events {
			if ev.Job == nil {
				continue
			}
			q.cfg.Metrics.Job(ev.Job.Kind, string(ev.Job.State))
			q.notify(context.Background(), toJob(ev.Job))
		}
	})
	q.started = true
	return nil
}

// Stop lets running jobs finish until ctx ends, then cancels them and
// waits briefly for them to be handed back: they are queued again, the
// interrupted attempt not counted, and run after the next start.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.started {
		return nil
	}
	q.started = false
	err := q.client.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		q.log.Warn("jobs still running after the shutdown timeout; cancelling them")
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err = q.client.StopAndCancel(cctx)
	}
	if q.stopEvents != nil {
		q.stopEvents()
		q.events.Wait()
	}
	return err
}

// Enqueue stores a new job; a worker picks it up soon. It returns the
// job's id. opts.CampaignID is required. With opts.Unique, while a job of
// the same kind and args is unfinished, no second one is stored and the
// existing job's id is returned.
func (q *Queue) Enqueue(ctx context.Context, args Args, opts EnqueueOpts) (string, error) {
	return q.insert(ctx, args, opts, func(ro *river.InsertOpts) (*rivertype.JobInsertResult, error) {
		return q.client.Insert(ctx, args, ro)
	})
}

// EnqueueTx is Enqueue inside the unit of work of tx, a store bound to
// store.Transactor.InTx on the queue's database: the job exists only if
// that transaction commits, and no worker sees it before.
func (q *Queue) EnqueueTx(ctx context.Context, tx store.Store, args Args, opts EnqueueOpts) (string, error) {
	dt, ok := tx.(store.DriverTxer)
	if !ok || dt.DriverTx() == nil {
		return "", fmt.Errorf("jobs: enqueue %s: not called with a store inside InTx", args.Kind())
	}
	return q.insert(ctx, args, opts, func(ro *river.InsertOpts) (*rivertype.JobInsertResult, error) {
		return q.client.insertTx(ctx, dt.DriverTx(), args, ro)
	})
}

// unfinished are the states in which a unique job blocks another.
var unfinished = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled}

func (q *Queue) insert(ctx context.Context, args Args, opts EnqueueOpts, insert func(*river.InsertOpts) (*rivertype.JobInsertResult, error)) (string, error) {
	if opts.CampaignID == "" {
		return "", errors.New("jobs: enqueue: a job needs its campaign")
	}
	meta, err := json.Marshal(map[string]owner{metaKey: {CampaignID: opts.CampaignID, SessionID: opts.SessionID, UserID: opts.UserID, GMOnly: opts.GMOnly}})
	if err != nil {
		return "", err
	}
	ro := &river.InsertOpts{Metadata: meta, MaxAttempts: opts.MaxAttempts, ScheduledAt: opts.RunAt}
	if opts.Unique {
		ro.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: unfinished}
	}
	res, err := insert(ro)
	if err != nil {
		return "", fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	if !res.UniqueSkippedAsDuplicate {
		q.cfg.Metrics.Job(args.Kind(), "enqueued")
	}
	return formatID(res.Job.ID), nil
}

// Job returns a job by id: gmc.ErrNotFound when there is none (or no
// longer: finished jobs are kept a week).
func (q *Queue) Job(ctx context.Context, id string) (*gmc.Job, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || formatID(n) != id {
		return nil, gmc.ErrNotFound
	}
	row, err := q.client.JobGet(ctx, n)
	if errors.Is(err, rivertype.ErrNotFound) {
		return nil, gmc.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("jobs: get %d: %w", n, err)
	}
	return toJob(row), nil
}

func (q *Queue) notify(ctx context.Context, j *gmc.Job) {
	if q.cfg.OnProgress != nil {
		q.cfg.OnProgress(ctx, j)
	}
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

// metaKey is where a job's owner is kept in River's job metadata.
const metaKey = "gmc"

// owner is the job metadata under metaKey.
type owner struct {
	CampaignID string `json:"campaign_id"`
	SessionID  string `json:"session_id,omitempty"`
	UserID     string `json:"user_id,omitempty"`
	GMOnly     bool   `json:"gm_only,omitempty"`
}

// output is the job's River output: what Progress and SetResult record.
// Failed marks a job Fail ended, which River keeps as cancelled.
type output struct {
	Progress float64         `json:"progress"`
	Message  string          `json:"message,omitempty"`
	Result   json.RawMessage `json:"result,omitempty"`
	Failed   bool            `json:"failed,omitempty"`
}

// toJob turns River's row into what members see.
func toJob(row *rivertype.JobRow) *gmc.Job {
	var meta map[string]json.RawMessage
	var own owner
	var out output
	// Metadata and output are written only by this package; a row that
	// does not parse shows without them rather than not at all.
	_ = json.Unmarshal(row.Metadata, &meta)
	_ = json.Unmarshal(meta[metaKey], &own)
	_ = json.Unmarshal(row.Output(), &out)
	j := &gmc.Job{
		ID: formatID(row.ID), Kind: row.Kind, State: state(row.State),
		Progress: out.Progress, Message: out.Message, Attempt: row.Attempt,
		CampaignID: own.CampaignID, SessionID: own.SessionID, UserID: own.UserID, GMOnly: own.GMOnly,
		CreatedAt: row.CreatedAt.UTC(), StartedAt: utc(row.AttemptedAt), FinishedAt: utc(row.FinalizedAt),
	}
	if len(out.Result) > 0 {
		// PostgreSQL's jsonb spaces what it gives back; clients get
		// the same bytes from either database.
		var b bytes.Buffer
		if json.Compact(&b, out.Result) == nil {
			j.Result = b.Bytes()
		}
	}
	if j.State == gmc.JobSucceeded {
		j.Progress = 1
	}
	if j.State == gmc.JobCancelled && out.Failed {
		j.State = gmc.JobFailed
	}
	if n := len(row.Errors); n > 0 && j.State != gmc.JobSucceeded {
		j.Error = truncate(strings.TrimPrefix(row.Errors[n-1].Error, cancelPrefix), maxErrorLen)
	}
	return j
}

func state(s rivertype.JobState) gmc.JobState {
	switch s {
	case rivertype.JobStateRunning:
		return gmc.JobRunning
	case rivertype.JobStateCompleted:
		return gmc.JobSucceeded
	case rivertype.JobStateDiscarded:
		return gmc.JobFailed
	case rivertype.JobStateCancelled:
		return gmc.JobCancelled
	default: // available, scheduled, retryable, pending
		return gmc.JobQueued
	}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s[:n])
	return string(r[:len(r)-1]) + "…"
}

// worker adapts a WorkFunc to River.
type worker[T Args] struct {
	river.WorkerDefaults[T]
	q       *Queue
	work    WorkFunc[T]
	timeout time.Duration
}

func (w *worker[T]) Timeout(*river.Job[T]) time.Duration { return w.timeout }

func (w *worker[T]) Work(ctx context.Context, rj *river.Job[T]) (err error) {
	kind := rj.Kind
	w.q.cfg.Metrics.Job(kind, string(rivertype.JobStateRunning))
	ended := w.q.cfg.Metrics.JobStarted(kind)
	defer func() { ended(err) }()
	if tp := w.q.cfg.Tracer; tp != nil {
		var span trace.Span
		ctx, span = tp.Tracer(tracing.Scope).Start(ctx, "job "+kind, trace.WithAttributes(
			attribute.String("job.kind", kind), attribute.Int64("job.id", rj.ID), attribute.Int("job.attempt", rj.Attempt)))
		defer func() { tracing.End(span, err) }()
	}
	j := toJob(rj.JobRow)
	r := &run{q: w.q, id: rj.ID, job: j}
	r.out = output{Progress: j.Progress, Message: j.Message}
	ctx = context.WithValue(ctx, runKey{}, r)
	// Owners learn at once that an attempt started.
	j.State = gmc.JobRunning
	w.q.notify(ctx, j)
	err = w.work(ctx, &Job[T]{
		ID: j.ID, Args: rj.Args, Attempt: rj.Attempt, MaxAttempts: rj.MaxAttempts,
		CampaignID: j.CampaignID, SessionID: j.SessionID, UserID: j.UserID, GMOnly: j.GMOnly,
	})
	// A campaign's spent monthly budget is not cured by trying again
	// before the month ends: the job fails for good at once, its error
	// saying which budget and when it resets, rather than retrying.
	if errors.Is(err, gmc.ErrQuotaExceeded) && !errors.Is(err, &rivertype.JobCancelError{}) {
		return Fail(ctx, err)
	}
	return err
}

// run is the attempt a work function's ctx belongs to.
type run struct {
	q   *Queue
	id  int64
	mu  sync.Mutex
	job *gmc.Job
	out output
}

type runKey struct{}

// errNotInJob is returned by Progress and SetResult outside a work function.
var errNotInJob = errors.New("jobs: not called from a job's work function")

// Progress records how far the running job is (fraction from 0 to 1,
// clamped) and what it is doing, for GET /jobs/{job_id} at once, and
// shows it at the job's session table (job.progress). Call it from the
// work function with its ctx; a few times a second at most, since each
// call writes to the database.
func Progress(ctx context.Context, fraction float64, message string) error {
	r, ok := ctx.Value(runKey{}).(*run)
	if !ok {
		return errNotInJob
	}
	if math.IsNaN(fraction) {
		return errors.New("jobs: progress: fraction is NaN")
	}
	fraction = min(max(fraction, 0), 1)
	r.mu.Lock()
	r.out.Progress, r.out.Message = fraction, message
	out := r.out
	j := *r.job
	j.Progress, j.Message, j.State = fraction, message, gmc.JobRunning
	r.mu.Unlock()
	// Recorded for the attempt's end, and written now so that a reader
	// sees it while the job runs.
	if err := river.RecordOutput(ctx, out); err != nil {
		return fmt.Errorf("jobs: progress: %w", err)
	}
	if _, err := r.q.client.JobUpdate(ctx, r.id, &river.JobUpdateParams{Output: out}); err != nil {
		return fmt.Errorf("jobs: progress: %w", err)
	}
	r.q.notify(ctx, &j)
	return nil
}

// SetResult records what the job produced (any JSON-encodable value,
// small: ids and counts, not documents). It is stored when the attempt
// ends and shown as result by GET /jobs/{job_id}.
func SetResult(ctx context.Context, v any) error {
	r, ok := ctx.Value(runKey{}).(*run)
	if !ok {
		return errNotInJob
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("jobs: result: %w", err)
	}
	r.mu.Lock()
	r.out.Result = b
	out := r.out
	r.mu.Unlock()
	return river.RecordOutput(ctx, out)
}

// cancelPrefix is what River puts before the error of a job Fail ended.
const cancelPrefix = "JobCancelError: "

// Fail ends the job's attempt with err and the job with it, attempts left
// or not: for errors that trying again cannot cure (the other side
// refused the request for good). The job shows as failed with err. Return
// its result from the work function.
func Fail(ctx context.Context, err error) error {
	if r, ok := ctx.Value(runKey{}).(*run); ok {
		r.mu.Lock()
		r.out.Failed = true
		out := r.out
		r.mu.Unlock()
		if rerr := river.RecordOutput(ctx, out); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	return river.JobCancel(err)
}

// Later hands the job back to be tried after d without counting the
// attempt: for a wait the other side asked for (a rate limit). Return its
// result from the work function.
func Later(d time.Duration) error {
	return river.JobSnooze(max(d, 0))
}

// backoffPolicy is a River retry policy from a wait per attempt.
type backoffPolicy func(attempt int) time.Duration

func (b backoffPolicy) NextRetry(row *rivertype.JobRow) time.Time {
	return time.Now().Add(b(row.Attempt))
}

// quiet keeps River's routine info lines out of the server log; nil
// logs nothing.
func quiet(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(levelFloor{log.Handler(), slog.LevelWarn})
}

type levelFloor struct {
	slog.Handler
	floor slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.floor && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.floor}
}

func (h levelFloor) WithGroup(n string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(n), h.floor}
}
