// Package app wires gmc together from its configuration and runs it: it
// picks each swappable component, starts the HTTP server and shuts
// everything down in order. It holds no business logic.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gmc-project/gmc/internal/authcache"
	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/cache"
	"github.com/gmc-project/gmc/internal/clamd"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/discord"
	"github.com/gmc-project/gmc/internal/generate/llmgen"
	"github.com/gmc-project/gmc/internal/httpapi"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/live"
	"github.com/gmc-project/gmc/internal/llm"
	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/ratelimit"
	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/speech/audio"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/tracing"
	"github.com/gmc-project/gmc/internal/transcribe"
	"github.com/gmc-project/gmc/internal/web"
)

// App is a configured gmc server.
type App struct {
	cfg     config.Config
	log     *slog.Logger
	store   store.Store
	redis   *redis.Client
	broker  realtime.Broker
	hub     *realtime.Hub
	authRdb *authcache.Redis
	blobs   blob.Store
	svc     *service.Service
	speech  *transcribe.Engine
	// closeSpeech releases the speech providers (PocketSphinx's decoders).
	closeSpeech func() error
	jobs        *jobs.Queue
	// jobsRunning is set while the queue runs, so that it stops once.
	jobsRunning atomic.Bool
	// llm is the language model client in LLM mode, nil in built-in mode.
	llm *llm.Client
	// replica is the read replica's state; nil without one.
	replica *replicaState
	// embed is semantic similarity, nil when off.
	embed   *embedding
	handler http.Handler
	// metrics is nil when metrics are off; tracer is never nil (a no-op
	// provider when tracing is off). metricsAddr is where the metrics
	// listener listens, once Serve opened it.
	metrics     *metrics.Metrics
	tracer      *tracing.Provider
	metricsAddr atomic.Pointer[string]
	// features switches the instance's features as GMC_FEATURES_FILE
	// changes.
	features *featureWatch
}

// Option adjusts what configuration does not cover, for tools and tests.
type Option func(*options)

type options struct {
	service  service.Config
	jobs     jobs.Config
	register []func(*jobs.Queue) error
	// featurePoll is how often GMC_FEATURES_FILE is looked at; 0 is
	// featurePollEvery.
	featurePoll time.Duration
}

// WithFeaturePoll looks at GMC_FEATURES_FILE every d rather than every
// few seconds.
func WithFeaturePoll(d time.Duration) Option {
	return func(o *options) { o.featurePoll = d }
}

// WithPasswordParams sets the password-hashing cost; load generators that
// sign up thousands of users use a cheap one.
func WithPasswordParams(p service.PasswordParams) Option {
	return func(o *options) { o.service.PasswordParams = &p }
}

// WithJobs registers more kinds of background job (tests) beside the
// product's (registerJobs), before the queue starts.
func WithJobs(register func(q *jobs.Queue) error) Option {
	return func(o *options) { o.register = append(o.register, register) }
}

// WithJobConfig adjusts the job queue: tests shorten the retry backoff
// and the polling interval.
func WithJobConfig(adjust func(*jobs.Config)) Option {
	return func(o *options) { adjust(&o.jobs) }
}

// New opens the database (migrating it), connects the optional Redis and
// builds the HTTP handler.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, version string, opts ...Option) (*App, error) {
	a := &App{cfg: cfg, log: log}
	secret, err := loadSecretKey(cfg)
	if err != nil {
		return nil, err
	}
	if a.store, err = OpenStore(ctx, cfg); err != nil {
		return nil, err
	}
	n, err := a.store.Migrate(ctx)
	if err != nil {
		a.store.Close()
		return nil, err
	}
	if err := a.openReadReplica(ctx); err != nil {
		a.store.Close()
		return nil, err
	}
	if err := a.openObservability(version); err != nil {
		a.Close()
		return nil, err
	}
	log = a.log
	if err := a.openLive(ctx); err != nil {
		a.Close()
		return nil, err
	}
	gens, cacheReads := a.generations()
	var sharedGens cache.Generations
	if a.redis != nil {
		// Changes made here reach the live table through Changed; the
		// generations only add those of the other instances.
		sharedGens = gens
	}
	table, err := live.New(live.Config{Store: a.store, Logger: log, Hub: a.hub, Broker: a.broker, Metrics: a.metrics, Generations: sharedGens})
	if err != nil {
		a.Close()
		return nil, err
	}
	accounts, err := a.openAccountCache(ctx)
	if err != nil {
		a.Close()
		return nil, err
	}
	if a.blobs, err = openBlobs(ctx, cfg); err != nil {
		a.Close()
		return nil, err
	}
	var scanner service.VirusScanner
	if cfg.ClamdAddr != "" {
		scanner = &clamd.Client{Addr: cfg.ClamdAddr}
	}
	guard, err := outboundGuard(cfg)
	if err != nil {
		a.Close()
		return nil, err
	}
	dc, err := discord.New(discord.Config{BaseURL: cfg.DiscordAPIURL, BotToken: cfg.DiscordBotToken, Logger: log,
		HTTPClient: &http.Client{Timeout: 30 * time.Second, Transport: guard.Transport()}})
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("GMC_DISCORD_API_URL: %w", err)
	}
	routeLimits, err := service.ParseRouteLimits(cfg.RateLimits)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("GMC_RATE_LIMITS: %w", err)
	}
	limits := service.DefaultLimits
	limits.Routes = routeLimits
	if a.features, err = newFeatureWatch(cfg.FeaturesFile, cfg.FeaturesOff, log); err != nil {
		a.Close()
		return nil, err
	}
	o := options{
		service: service.Config{Store: a.store, SecretKey: secret, Limits: &limits, PreviousSecretKeys: cfg.PreviousSecretKeyBytes(), Logger: log, Live: table, Accounts: accounts, Limiter: a.rateLimiter(), Blobs: a.blobs,
			Files: service.FileLimits{MaxBytes: cfg.FileMaxBytes, QuotaBytes: cfg.FileQuotaBytes}, Scanner: scanner, Discord: dc,
			DisabledFeatures: a.features.off, Generations: gens, CacheReads: cacheReads,
			Budgets: service.Budgets{AITokensPerMonth: cfg.CampaignAITokensPerMonth, AudioMinutesPerMonth: cfg.CampaignAudioMinutesPerMonth}},
		jobs: jobs.Config{Logger: log, Workers: cfg.JobWorkers, OnProgress: table.JobProgress, RescueAfter: cfg.JobRescueAfter,
			Metrics: a.metrics, Tracer: a.rootTracer()},
	}
	if err := withDndBeyond(&o, cfg); err != nil {
		a.Close()
		return nil, err
	}
	retention := service.Retention{Recordings: cfg.RetainRecordings, Transcripts: cfg.RetainTranscripts, Events: cfg.RetainEvents}
	if retention.Enabled() {
		o.jobs.Periodic = append(o.jobs.Periodic, jobs.Periodic{Interval: retentionInterval, Args: service.RetentionArgs{}})
	}
	ai := httpapi.AIStatus{Mode: "builtin"}
	if cfg.LLMEnabled() {
		if a.llm, err = OpenLLM(cfg, a.metrics, a.chargeAI); err != nil {
			a.Close()
			return nil, err
		}
		o.service.Generator = llmgen.New(a.llm, llmgen.Config{Logger: log, Timeout: cmp.Or(cfg.LLMTotalTimeout, llm.DefaultTotalTimeout)})
		ai = httpapi.AIStatus{Mode: "llm", Model: a.llm.Model()}
	}
	if err := a.openEmbeddings(ctx, &o); err != nil {
		a.Close()
		return nil, err
	}
	ai.Embeddings = a.embeddingsState()
	for _, opt := range opts {
		opt(&o)
	}
	if err := a.openJobs(ctx, o.jobs); err != nil {
		a.Close()
		return nil, err
	}
	o.service.Jobs = a.jobs
	a.svc, err = service.New(o.service)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.features.start(a.svc, o.featurePoll)
	if a.speech, a.closeSpeech, err = openSpeech(ctx, cfg, log, a.metrics); err != nil {
		a.Close()
		return nil, err
	}
	transcription := func(q *jobs.Queue) error {
		return jobs.RegisterTranscribe(q, a.svc, a.speech, audio.Limits{MaxBytes: maxBlobBytes, MaxTotalBytes: maxBlobBytes})
	}
	ddbSync := func(q *jobs.Queue) error {
		return jobs.RegisterDndBeyondSync(q, a.svc, cmp.Or(cfg.DndBeyondSync, defaultDndBeyondSync))
	}
	summaries := func(q *jobs.Queue) error { return jobs.RegisterSummarize(q, a.svc, a.summarizer()) }
	discordPost := func(q *jobs.Queue) error { return jobs.RegisterDiscordPost(q, a.svc) }
	bundles := func(q *jobs.Queue) error { return jobs.RegisterBundle(q, a.svc) }
	purge := func(q *jobs.Queue) error { return jobs.RegisterRetention(q, a.svc, retention) }
	if err := a.startJobs(ctx, append([]func(*jobs.Queue) error{transcription, ddbSync, summaries, discordPost, bundles, a.registerEmbed, purge}, o.register...)); err != nil {
		a.Close()
		return nil, err
	}
	a.startEmbedPoll()
	a.handler = httpapi.New(httpapi.Config{Service: a.svc, Logger: log, Ready: a.ready, Version: version, Live: a.hub, Speech: a.speech,
		AllowedOrigins: cfg.AllowedOrigins, TrustedProxies: cfg.TrustedProxies, AI: ai, CORSOrigins: cfg.CORSOrigins,
		Metrics: a.metrics, MetricsOnMain: cfg.MetricsOnMain, Tracer: a.rootTracer(),
		Limits:  httpapi.Limits{MaxBodyBytes: cfg.MaxBodyBytes, MaxRecordingBytes: cfg.MaxRecordingBytes, Timeouts: a.requestTimeouts()},
		Console: web.Handler(web.Config{Version: version, APIBase: httpapi.BasePath})})
	sttName, diaName := a.speech.Providers()
	log.Info("gmc ready",
		slog.String("version", version),
		slog.String("database", a.store.Backend()),
		slog.String("realtime", a.backendName("memory", "redis")),
		slog.String("auth_cache", a.backendName("memory", "memory+redis")),
		slog.String("rate_limits", a.backendName("memory", "redis")),
		slog.String("read_cache", a.readCacheName(cacheReads)),
		slog.String("files", a.blobs.Backend()),
		slog.Bool("virus_scan", cfg.ClamdAddr != ""),
		slog.String("jobs", "river on "+a.jobs.Backend()),
		slog.Int("job_workers", cmp.Or(cfg.JobWorkers, 2)),
		slog.String("stt", sttName),
		slog.String("diarization", diaName),
		slog.String("ai", ai.Mode),
		slog.String("embeddings", ai.Embeddings),
		slog.Int("trusted_proxies", len(cfg.TrustedProxies)),
		slog.String("dndbeyond", cfg.DndBeyondURL),
		slog.Duration("dndbeyond_sync", cfg.DndBeyondSync),
		slog.String("discord_api", cfg.DiscordAPIURL),
		slog.Bool("discord_bot", cfg.DiscordBotToken != ""),
		slog.Duration("retain_recordings", cfg.RetainRecordings),
		slog.Duration("retain_transcripts", cfg.RetainTranscripts),
		slog.Duration("retain_events", cfg.RetainEvents),
		slog.Any("features_off", a.features.off),
		slog.String("features_file", cfg.FeaturesFile),
		slog.Int64("campaign_ai_tokens_per_month", cfg.CampaignAITokensPerMonth),
		slog.Int64("campaign_audio_minutes_per_month", cfg.CampaignAudioMinutesPerMonth),
		slog.Int("migrations_applied", n),
		slog.String("metrics", a.metricsWhere()),
		slog.Bool("tracing", a.tracer.Enabled()),
	)
	if err := a.speech.Ready(); err != nil {
		log.Warn("live speech and recording uploads are off", slog.String("reason", err.Error()))
	}
	if a.llm != nil {
		// The base URL has no credentials (the settings refuse them); the
		// key is never logged.
		log.Info("drafts come from a language model", slog.String("model", a.llm.Model()), slog.String("llm_base_url", cfg.LLMBaseURL))
	}
	return a, nil
}

// requestTimeouts are GMC_REQUEST_TIMEOUTS; in LLM mode the AI class is
// long enough for a draft that takes the whole GMC_LLM_TOTAL_TIMEOUT.
func (a *App) requestTimeouts() map[string]time.Duration {
	t := maps.Clone(a.cfg.RequestTimeouts)
	if t == nil {
		t = map[string]time.Duration{}
	}
	if a.llm != nil {
		ai := cmp.Or(t[httpapi.TimeoutAI], httpapi.DefaultTimeouts[httpapi.TimeoutAI])
		t[httpapi.TimeoutAI] = max(ai, cmp.Or(a.cfg.LLMTotalTimeout, llm.DefaultTotalTimeout)+15*time.Second)
	}
	return t
}

// writeTimeout bounds writing an answer: a minute, or in LLM mode long
// enough for a draft that takes the whole GMC_LLM_TOTAL_TIMEOUT, so a slow
// model's draft is not cut off on its way to the GM.
func (a *App) writeTimeout() time.Duration {
	d := 60 * time.Second
	if a.llm != nil {
		d = max(d, cmp.Or(a.cfg.LLMTotalTimeout, llm.DefaultTotalTimeout)+15*time.Second)
	}
	return d
}

// openLive starts the realtime broker (in memory, or on Redis when
// configured) and the hub that serves live-session WebSockets.
func (a *App) openLive(ctx context.Context) error {
	if a.cfg.RedisURL == "" {
		a.broker = realtime.NewMemoryBroker(realtime.BrokerOpts{Logger: a.log, Metrics: a.metrics})
	} else {
		opts, err := redis.ParseURL(a.cfg.RedisURL)
		if err != nil {
			return errors.New("GMC_REDIS_URL: not a valid redis:// URL")
		}
		a.redis = redis.NewClient(opts)
		// A Redis that is not up at start is most often a mistake in the
		// setting; the process stops with one line that says so (and no
		// password) rather than serving sockets no other instance sees.
		broker, err := realtime.NewRedisBroker(ctx, a.redis, realtime.RedisBrokerOpts{KeyPrefix: a.cfg.RedisPrefix + "rt:", BrokerOpts: realtime.BrokerOpts{Logger: a.log, Metrics: a.metrics}})
		if err != nil {
			return fmt.Errorf("GMC_REDIS_URL: no Redis answers at %s (%v); start it, or unset GMC_REDIS_URL to run one instance without it", opts.Addr, errors.Unwrap(err))
		}
		a.broker = broker
	}
	hub, err := realtime.NewHub(realtime.HubOpts{Broker: a.broker, Logger: a.log, Metrics: a.metrics})
	if err != nil {
		return err
	}
	a.hub = hub
	return nil
}

// openAccountCache builds the cache of token versions Authenticate checks:
// in memory, and with Redis each instance's Forget reaches the others.
func (a *App) openAccountCache(ctx context.Context) (service.AccountCache, error) {
	if a.redis == nil {
		return authcache.NewMemory(0, nil), nil
	}
	c, err := authcache.NewRedis(ctx, a.redis, authcache.RedisOpts{KeyPrefix: a.cfg.RedisPrefix, Logger: a.log})
	if err != nil {
		return nil, fmt.Errorf("GMC_REDIS_URL: %w", err)
	}
	a.authRdb = c
	return c, nil
}

// generations are the cache generations the service bumps for every
// write and the live table reads: in Redis when configured, so that every
// instance sees every instance's writes, else in memory. Reads are cached
// when no other instance can write unseen: on Redis, or on SQLite (one
// process). PostgreSQL without Redis may have instances that share no
// generations, so nothing is cached there.
func (a *App) generations() (cache.Generations, bool) {
	if a.redis != nil {
		return cache.NewRedis(a.redis, cache.RedisOpts{KeyPrefix: a.cfg.RedisPrefix}), true
	}
	return cache.NewMemory(), a.store.Backend() == "sqlite"
}

func (a *App) readCacheName(on bool) string {
	if !on {
		return "off"
	}
	return a.backendName("memory", "memory+redis generations")
}

// rateLimiter counts in Redis when configured, so that instances share the
// counts, and in memory while Redis fails (see ratelimit.Failover).
func (a *App) rateLimiter() ratelimit.Limiter {
	local := ratelimit.NewMemory(nil)
	if a.redis == nil {
		return local
	}
	shared := ratelimit.NewRedis(a.redis, ratelimit.RedisOpts{KeyPrefix: a.cfg.RedisPrefix + "rl:"})
	return ratelimit.NewFailover(shared, local, a.log)
}

func (a *App) backendName(embedded, scaled string) string {
	if a.redis != nil {
		return scaled
	}
	return embedded
}

// OpenStore opens the store the configuration selects, without migrating.
func OpenStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	if cfg.DatabaseURL != "" {
		db, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		db.SetEmbeddingCache(cfg.EmbeddingsCacheBytes)
		return db, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("GMC_DATA_DIR: %w", err)
	}
	db, err := sqlite.Open(filepath.Join(cfg.DataDir, "gmc.db"))
	if err != nil {
		return nil, err
	}
	db.SetEmbeddingCache(cfg.EmbeddingsCacheBytes)
	return db, nil
}

// Service is the business layer, for commands that act without HTTP.
func (a *App) Service() *service.Service { return a.svc }

// Jobs is the background job queue, for enqueueing from tools and tests.
func (a *App) Jobs() *jobs.Queue { return a.jobs }

// Handler is the server's HTTP handler (tests serve it with httptest).
func (a *App) Handler() http.Handler { return a.handler }

func (a *App) ready(ctx context.Context) error {
	if err := a.store.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if a.redis != nil {
		// The API still works without Redis; only the live table is
		// degraded (see httpapi.DegradedError).
		if err := a.redis.Ping(ctx).Err(); err != nil {
			return &httpapi.DegradedError{Component: "redis", Err: err}
		}
	}
	return nil
}

// Serve answers HTTP on ln until ctx ends, then stops accepting, lets
// in-flight requests finish within the shutdown timeout and returns.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      a.writeTimeout(),
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	stopMetrics, merr := a.serveMetrics(ctx)
	if merr != nil {
		return errors.Join(merr, ln.Close())
	}
	defer stopMetrics()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	pctx, stopPurge := context.WithCancel(ctx)
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		a.purgeRecordings(pctx, purgeInterval)
	}()
	// Waiting for the purge keeps its last deletion from running into a
	// closed database.
	defer func() { stopPurge(); <-purged }()
	a.log.Info("listening", slog.String("addr", ln.Addr().String()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down", slog.Duration("drain_timeout", a.cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		a.log.Warn("requests still running after the drain timeout; closing them")
		err = srv.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	// Background jobs get the same time again to finish; the ones still
	// running then are handed back, to run again at the next start.
	jctx, jcancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer jcancel()
	err = errors.Join(err, a.stopJobs(jctx))
	// Shutdown does not wait for hijacked connections: end the WebSockets
	// (clients are told to reconnect and resume elsewhere).
	return errors.Join(err, a.hub.Close())
}

// Close releases the connections, database last.
func (a *App) Close() error {
	a.features.close()
	var errs []error
	if a.jobsRunning.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), cmp.Or(a.cfg.ShutdownTimeout, 10*time.Second))
		errs = append(errs, a.stopJobs(ctx))
		cancel()
	}
	if a.closeSpeech != nil {
		errs = append(errs, a.closeSpeech())
	}
	if a.tracer != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, a.tracer.Shutdown(ctx))
		cancel()
	}
	if a.broker != nil {
		errs = append(errs, a.broker.Close())
	}
	if a.authRdb != nil {
		errs = append(errs, a.authRdb.Close())
	}
	if a.redis != nil {
		errs = append(errs, a.redis.Close())
	}
	if a.store != nil {
		errs = append(errs, a.store.Close())
	}
	return errors.Join(errs...)
}

// openBlobs opens the file store the settings select: a directory in the
// data dir, or an S3 bucket (created when missing).
func openBlobs(ctx context.Context, cfg config.Config) (blob.Store, error) {
	if cfg.Blob != "s3" {
		d, err := blob.NewDir(filepath.Join(cfg.DataDir, "files"), maxBlobBytes)
		if err != nil {
			return nil, fmt.Errorf("GMC_DATA_DIR: %w", err)
		}
		return d, nil
	}
	s, err := blob.NewS3(ctx, blob.S3Config{Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, Region: cfg.S3Region, Insecure: cfg.S3Insecure}, maxBlobBytes)
	if err != nil {
		return nil, fmt.Errorf("GMC_BLOB=s3: %w", err)
	}
	return s, nil
}
