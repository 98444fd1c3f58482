package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/authcache"
	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/discord"
	"github.com/gmc-project/gmc/internal/discord/discordtest"
	"github.com/gmc-project/gmc/internal/dndbeyond"
	"github.com/gmc-project/gmc/internal/generate"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/httpapi"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/ratelimit"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/summary"
	"github.com/gmc-project/gmc/internal/testenv"
	"github.com/gmc-project/gmc/internal/transcribe"
)

// backends are the store backends every API test runs on.
var backends = []struct {
	name string
	open func(t testing.TB) store.Store
}{
	{"sqlite", func(t testing.TB) store.Store {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "gmc.db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}},
	{"postgres", func(t testing.TB) store.Store {
		db, err := postgres.Open(context.Background(), testenv.PostgresSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}},
}

// fakeClock is a settable clock for token-expiry tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type serverOpts struct {
	now func() time.Time
	// limiter defaults to counting in memory.
	limiter ratelimit.Limiter
	// trustedProxies lets tests speak for many client addresses through
	// X-Forwarded-For from the loopback peer.
	trustedProxies []netip.Prefix
	// jobs gives the server a job queue (c.jobs); without one it has no
	// jobs, and River's tables are not made.
	jobs bool
	// dndbeyond fetches D&D Beyond characters; nil fetches none.
	dndbeyond *dndbeyond.Client
	// files bounds uploads (service defaults when zero); scanner checks
	// them for viruses; blobs replaces the directory file store.
	files   service.FileLimits
	scanner service.VirusScanner
	blobs   blob.Store
	// generator replaces the built-in generators.
	generator generate.Generator
	// bundleJobs gives the server a started job queue that runs campaign
	// export and import jobs (c.jobs), polling often.
	bundleJobs bool
	// holdJobs, with bundleJobs, registers the kinds but never starts the
	// queue: jobs stay queued, for a test to run their work itself.
	holdJobs bool
	// bundleThresholds default to service.DefaultBundleThresholds.
	bundleThresholds *service.BundleThresholds
	// limits default to service.DefaultLimits.
	limits *service.Limits
	// apiLimits are the HTTP layer's limits (its defaults when zero).
	apiLimits httpapi.Limits
	// featuresOff are switched off for the whole server.
	featuresOff []gmc.Feature
	// budgets are every campaign's monthly cost limits (none when zero).
	budgets service.Budgets
	// speech transcribes audio; nil: the server has no speech-to-text.
	speech *transcribe.Engine
}

// newServer runs the real stack on a fresh database behind httptest.
func newServer(t testing.TB, open func(t testing.TB) store.Store, opts serverOpts) *client {
	t.Helper()
	st := open(t)
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Cheap password hashing: these tests are about the API, not argon2's cost.
	cheap := service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}
	blobs, blobDir := opts.blobs, ""
	if blobs == nil {
		blobDir = t.TempDir()
		var err error
		if blobs, err = blob.NewDir(blobDir, 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	// The server's warnings and errors go to the test's log: a failure
	// shows its cause (a 500's, or a keyword pass that did not run).
	log := testenv.Logger(t, slog.LevelWarn)
	scfg := service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), Now: opts.now, PasswordParams: &cheap, Logger: log,
		Accounts: authcache.NewMemory(0, opts.now), Limiter: opts.limiter, Blobs: blobs, Files: opts.files, Scanner: opts.scanner,
		Generator: opts.generator, BundleThresholds: opts.bundleThresholds, Limits: opts.limits, DisabledFeatures: opts.featuresOff,
		Budgets: opts.budgets,
		// One instance whose every write goes through this service: the
		// API is tested with its reads cached, as the product serves them.
		CacheReads: true}
	// A loopback Discord with a bot, so that its routes answer.
	fake := discordtest.New(t)
	fake.SetBot("test-bot-token", []discordtest.Guild{{ID: "800000000000000001", Name: "The table", Permissions: "0", Features: []any{}}})
	dc, err := discord.New(discord.Config{BaseURL: fake.URL, BotToken: "test-bot-token"})
	if err != nil {
		t.Fatal(err)
	}
	scfg.Discord = dc
	var q *jobs.Queue
	if opts.dndbeyond != nil {
		scfg.DndBeyond = opts.dndbeyond
	}
	if opts.jobs {
		q = newJobQueue(t, st)
		scfg.Jobs = q
	}
	if opts.bundleJobs {
		q = newQueue(t, st, jobs.Config{PollInterval: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 10 * time.Millisecond }})
		scfg.Jobs = q
	}
	svc, err := service.New(scfg)
	if err != nil {
		t.Fatal(err)
	}
	if opts.bundleJobs {
		// Ending a session queues its summary, so the queue runs those too.
		if err := jobs.RegisterBundle(q, svc); err != nil {
			t.Fatal(err)
		}
		if err := jobs.RegisterSummarize(q, svc, summary.Builtin{}); err != nil {
			t.Fatal(err)
		}
		if !opts.holdJobs {
			if err := q.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_ = q.Stop(ctx)
			})
		}
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Service: svc, Ready: st.Ping, Version: "test", TrustedProxies: opts.trustedProxies, Speech: opts.speech,
		Limits: opts.apiLimits, Logger: log}))
	t.Cleanup(srv.Close)
	return &client{t: t, base: srv.URL, svc: svc, jobs: q, blobDir: blobDir}
}

// The kinds of job API tests enqueue. The queue never starts, so the jobs
// stay queued for GET /jobs/{job_id} to show. secretJob is for GM-only
// jobs: an answer that shows one to a player shows the secret mark.
type (
	visibleJob struct{}
	secretJob  struct{}
)

func (visibleJob) Kind() string { return "test.visible" }
func (secretJob) Kind() string  { return "test." + secretMark }

// newJobQueue builds a job queue on the store's database that runs
// nothing: what the API does with jobs is the same whoever works them.
func newJobQueue(t testing.TB, st store.Store) *jobs.Queue {
	t.Helper()
	q := newQueue(t, st, jobs.Config{})
	if err := jobs.Register(q, func(context.Context, *jobs.Job[visibleJob]) error { return nil }, jobs.WorkerOpts{}); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Register(q, func(context.Context, *jobs.Job[secretJob]) error { return nil }, jobs.WorkerOpts{}); err != nil {
		t.Fatal(err)
	}
	return q
}

// newQueue builds a job queue on the store's database, with no kinds.
func newQueue(t testing.TB, st store.Store, cfg jobs.Config) *jobs.Queue {
	t.Helper()
	var b jobs.Backend
	switch db := st.(type) {
	case *sqlite.DB:
		b = jobs.SQLite(db.Writer())
	case *postgres.DB:
		b = jobs.Postgres(db.Pool())
	default:
		t.Fatalf("no job backend for %T", st)
	}
	if _, err := jobs.Migrate(context.Background(), b, nil); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(b, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// client speaks JSON to the test server.
type client struct {
	t    testing.TB
	base string
	// svc is the server's service, for the writes no route makes yet
	// (recordings arrive through the upload path of the speech work).
	svc *service.Service
	// jobs is the server's job queue (never started, unless bundleJobs).
	jobs *jobs.Queue
	// blobDir is the root of the server's file store.
	blobDir string
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (c *client) do(method, path, token string, body any, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			c.t.Fatalf("%s %s: bad JSON %q: %v", method, path, raw, err)
		}
	}
	return r
}

// must fails the test unless the answer has status want.
func (c *client) must(want int, method, path, token string, body any, headers ...string) response {
	c.t.Helper()
	r := c.do(method, path, token, body, headers...)
	if r.status != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.raw, want)
	}
	return r
}

func (r response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// register and login make an account and return its id and access token.
func (c *client) signUp(email string) (id, token, refresh string) {
	c.t.Helper()
	u := c.must(201, "POST", "/api/v1/auth/register", "", map[string]any{"email": email, "password": "correct horse battery", "display_name": "User " + email})
	tok := c.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"email": email, "password": "correct horse battery"})
	return u.str("id"), tok.str("access_token"), tok.str("refresh_token")
}
