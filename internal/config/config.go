// Package config reads gmc's settings once, from GMC_* environment
// variables and command-line flags (flags win), and validates them with
// messages that name the variable.
package config

import (
	"cmp"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Config is every setting of the server.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	// DatabaseReadURL is a PostgreSQL streaming replica of DatabaseURL for
	// list and search reads; ReadReplicaMaxLag is how far behind it may be.
	DatabaseReadURL   string
	ReadReplicaMaxLag time.Duration
	readReplicaMaxLag string
	RedisURL          string
	// RedisPrefix starts every Redis key gmc writes, so instances of
	// different deployments can share one Redis.
	RedisPrefix string
	// SecretKey is empty when the server should use (or make) the key file
	// in the data directory.
	SecretKey string
	LogFormat string
	LogLevel  string
	// allowedOrigins, shutdownTimeout and trustedProxies are the raw
	// settings behind AllowedOrigins, ShutdownTimeout and TrustedProxies.
	allowedOrigins  string
	shutdownTimeout string
	trustedProxies  string
	jobWorkers      string
	llmTimeout      string
	llmTotalTimeout string
	llmConcurrency  string
	jobRescueAfter  string
	// AllowedOrigins lists other hosts whose pages may open live WebSockets.
	AllowedOrigins []string
	// ShutdownTimeout bounds how long in-flight requests may drain.
	ShutdownTimeout time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For or
	// Forwarded header names the client; empty trusts no header.
	TrustedProxies []netip.Prefix
	// Speech: the speech-to-text provider (auto, off, pocketsphinx,
	// whisper) and its settings, and the diarization provider of a shared
	// microphone (auto, builtin, diart, tracks).
	STT            string
	WhisperURL     string
	WhisperModel   string
	WhisperAPIKey  string
	SphinxModelDir string
	SpeechLanguage string
	Diarization    string
	DiartURL       string
	// JobWorkers is how many background jobs run at once in this process.
	JobWorkers int
	// LLM: an OpenAI-compatible chat server for the AI features; with no
	// base URL they run built-in. LLMAPIKey comes from the environment
	// only, like the other secrets.
	LLMBaseURL string
	LLMModel   string
	LLMAPIKey  string
	// LLMTimeout bounds one request (for a streamed answer, the silence
	// between chunks); LLMTotalTimeout bounds one answer with its retries.
	LLMTimeout      time.Duration
	LLMTotalTimeout time.Duration
	// LLMConcurrency is how many LLM requests this process makes at once.
	LLMConcurrency int
	// Embeddings: an OpenAI-compatible /v1/embeddings server for semantic
	// search and AI context, on when a model is named; the base URL
	// defaults to the LLM's, and so does the key when the server is the
	// LLM's.
	EmbeddingsBaseURL string
	EmbeddingsModel   string
	EmbeddingsAPIKey  string
	// EmbeddingsCacheBytes bounds the memory that keeps campaigns'
	// vectors between similarity lookups; 0 keeps none.
	EmbeddingsCacheBytes int64
	embeddingsCacheBytes string
	// DndBeyondURL is the D&D Beyond character service a character's id is
	// appended to; "off" fetches nothing (imports then take documents only).
	DndBeyondURL string
	// DndBeyondSync is how often linked characters are re-imported; 0 never.
	DndBeyondSync time.Duration
	dndbeyondSync string
	// JobRescueAfter is how long a job attempt may run before it is taken
	// for lost with a stopped server and run again; it also bounds every
	// attempt. 0 is the queue's default.
	JobRescueAfter time.Duration
	// Files: the file store (local or s3) and, for s3, where it is; the
	// secret key is read from GMC_S3_SECRET_KEY only, like GMC_SECRET_KEY.
	Blob        string
	S3Endpoint  string
	S3Bucket    string
	S3AccessKey string
	S3SecretKey string
	S3Region    string
	S3Insecure  bool
	s3Insecure  string
	// ClamdAddr is clamd's host:port (or Unix socket path); empty scans
	// no uploads.
	ClamdAddr string
	// FileMaxBytes bounds one uploaded file, FileQuotaBytes the files of
	// one campaign.
	FileMaxBytes   int64
	FileQuotaBytes int64
	fileMaxBytes   string
	fileQuotaBytes string
	// PreviousSecretKeys are secret keys used before SecretKey: what was
	// sealed with a key derived from them can still be opened (and is
	// sealed again with the current key when next used).
	PreviousSecretKeys []string
	// DiscordAPIURL is the root of Discord's API, with its version;
	// DiscordBotToken (environment only: a secret) lets GET
	// /discord/guilds list the bot's guilds.
	DiscordAPIURL   string
	DiscordBotToken string
	// MetricsAddr is the address of a listener of its own serving
	// Prometheus metrics at /metrics; empty opens none. MetricsOnMain
	// serves them on Addr too. Metrics are kept when either is set.
	MetricsAddr   string
	MetricsOnMain bool
	metricsOnMain string
	// OTLPEndpoint is where traces go over OTLP/HTTP
	// (OTEL_EXPORTER_OTLP_ENDPOINT); empty traces nothing.
	OTLPEndpoint string
	// OutboundAllowPrivate lets Discord's and D&D Beyond's configured
	// names resolve to private addresses (test stand-ins); otherwise only
	// a URL naming a local address itself may reach one.
	OutboundAllowPrivate bool
	outboundAllowPrivate string
	// CORSOrigins are the origins whose pages may call the API.
	CORSOrigins []string
	corsOrigins string
	// RateLimits is GMC_RATE_LIMITS: requests per class and window
	// (service.ParseRouteLimits reads it).
	RateLimits string
	// RetainRecordings, RetainTranscripts and RetainEvents are how long
	// the instance keeps recordings, transcript segments and audit
	// events; 0 keeps them until deleted by hand.
	RetainRecordings  time.Duration
	RetainTranscripts time.Duration
	RetainEvents      time.Duration
	retain            [3]string
	// FeaturesOff are the optional features switched off on this
	// instance (gmc.Feature names).
	FeaturesOff []gmc.Feature
	featuresOff string
	// CampaignAITokensPerMonth and CampaignAudioMinutesPerMonth are every
	// campaign's monthly budgets of language model tokens and of audio
	// transcribed; 0 is unlimited. A campaign's settings can only lower
	// them.
	CampaignAITokensPerMonth     int64
	CampaignAudioMinutesPerMonth int64
	campaignBudgets              [2]string
	// FeaturesFile names a file listing more features to switch off; it
	// is read again whenever it changes, without a restart.
	FeaturesFile string
	// MaxBodyBytes bounds a request body where the operation declares
	// no limit of its own; MaxRecordingBytes an uploaded session recording.
	MaxBodyBytes      int64
	MaxRecordingBytes int64
	maxBodyBytes      string
	maxRecordingBytes string
	// RequestTimeouts are the time limits of requests by class
	// (RequestTimeoutClasses); a class missing has the server's default.
	RequestTimeouts map[string]time.Duration
	requestTimeouts string
}

// RequestTimeoutClasses are the classes GMC_REQUEST_TIMEOUTS sets.
var RequestTimeoutClasses = []string{"read", "write", "ai", "upload"}

// MetricsEnabled says whether the server keeps metrics.
func (c Config) MetricsEnabled() bool { return c.MetricsAddr != "" || c.MetricsOnMain }

// setting ties a flag to its environment variable and default.
type setting struct {
	flag, env, def, usage string
	dst                   *string
}

func (c *Config) settings() []setting {
	return []setting{
		{"addr", "GMC_ADDR", "127.0.0.1:8080", "address to listen on", &c.Addr},
		{"data-dir", "GMC_DATA_DIR", "./data", "directory for the SQLite database, the secret key and files", &c.DataDir},
		{"database-url", "GMC_DATABASE_URL", "", "postgres://… to use PostgreSQL; empty uses SQLite in the data dir", &c.DatabaseURL},
		{"database-read-url", "GMC_DATABASE_READ_URL", "", "postgres://… of a streaming replica of GMC_DATABASE_URL for list and search reads", &c.DatabaseReadURL},
		{"read-replica-max-lag", "GMC_READ_REPLICA_MAX_LAG", "5s", "how far the read replica may be behind before reads go to the primary (a Go duration)", &c.readReplicaMaxLag},
		{"redis-url", "GMC_REDIS_URL", "", "redis://… to share live state between instances (optional)", &c.RedisURL},
		{"redis-prefix", "GMC_REDIS_PREFIX", "gmc:", "prefix of every Redis key gmc writes", &c.RedisPrefix},
		{"log-format", "GMC_LOG_FORMAT", "text", "log format: json or text", &c.LogFormat},
		{"log-level", "GMC_LOG_LEVEL", "info", "log level: debug, info, warn or error", &c.LogLevel},
		{"allowed-origins", "GMC_ALLOWED_ORIGINS", "", "comma-separated hosts (e.g. app.example.com) whose pages may open live WebSockets", &c.allowedOrigins},
		{"shutdown-timeout", "GMC_SHUTDOWN_TIMEOUT", "10s", "how long in-flight requests may finish on shutdown (a Go duration)", &c.shutdownTimeout},
		{"job-workers", "GMC_JOB_WORKERS", "2", "how many background jobs (transcriptions, summaries…) run at once in this process", &c.jobWorkers},
		{"job-rescue-after", "GMC_JOB_RESCUE_AFTER", "0", "how long a background job may run before it is taken for lost with a killed server and run again; also bounds each attempt (0: 90 minutes)", &c.jobRescueAfter},
		{"trusted-proxies", "GMC_TRUSTED_PROXIES", "", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For/Forwarded names the client", &c.trustedProxies},
		{"stt", "GMC_STT", "auto", "speech-to-text: auto, off, pocketsphinx or whisper", &c.STT},
		{"whisper-url", "GMC_WHISPER_URL", "", "base URL of an OpenAI-compatible speech-to-text server (…/v1/audio/transcriptions is appended)", &c.WhisperURL},
		{"whisper-model", "GMC_WHISPER_MODEL", "whisper-1", "model name sent to the speech-to-text server", &c.WhisperModel},
		{"pocketsphinx-model", "GMC_POCKETSPHINX_MODEL", "/usr/share/pocketsphinx/model/en-us", "folder of the PocketSphinx acoustic model, language model and dictionary", &c.SphinxModelDir},
		{"speech-language", "GMC_SPEECH_LANGUAGE", "en", "language of the table's speech (ISO 639-1)", &c.SpeechLanguage},
		{"diarization", "GMC_DIARIZATION", "auto", "who spoke on a shared microphone: auto, builtin, diart or tracks", &c.Diarization},
		{"dndbeyond-url", "GMC_DNDBEYOND_URL", "https://character-service.dndbeyond.com/character/v5/character/",
			"D&D Beyond's character service (a character id is appended), or off to import only documents sent in the request", &c.DndBeyondURL},
		{"features-off", "GMC_FEATURES_OFF", "", "optional features to switch off on this server, comma-separated: audio, ai, discord, dndbeyond_sync, public_signup", &c.featuresOff},
		{"campaign-ai-tokens-per-month", "GMC_CAMPAIGN_AI_TOKENS_PER_MONTH", "0",
			"language model tokens each campaign may spend a calendar month (prompt, completion and embeddings); 0 for no limit. A campaign can set a lower budget, not a higher one", &c.campaignBudgets[0]},
		{"campaign-audio-minutes-per-month", "GMC_CAMPAIGN_AUDIO_MINUTES_PER_MONTH", "0",
			"minutes of audio each campaign may have transcribed a calendar month (live and uploaded); 0 for no limit. A campaign can set a lower budget, not a higher one", &c.campaignBudgets[1]},
		{"features-file", "GMC_FEATURES_FILE", "", "a file listing more features to switch off (words separated by commas, spaces or lines; # comments), read again when it changes or on SIGHUP", &c.FeaturesFile},
		{"max-body-bytes", "GMC_MAX_BODY_BYTES", "1048576", "largest request body in bytes, except where an operation accepts more (uploads, imports)", &c.maxBodyBytes},
		{"recording-max-bytes", "GMC_RECORDING_MAX_BYTES", "2147483648", "largest session recording upload in bytes", &c.maxRecordingBytes},
		{"request-timeouts", "GMC_REQUEST_TIMEOUTS", "read=15s,write=30s,ai=6m,upload=30s",
			"time limits of requests by class (class=duration,…): read, write, ai, upload (plus 1s per 256 KiB sent)", &c.requestTimeouts},
		{"retain-recordings", "GMC_RETAIN_RECORDINGS", "0", "delete recordings (and their audio) this long after they were made, such as 90d; 0 keeps them", &c.retain[0]},
		{"retain-transcripts", "GMC_RETAIN_TRANSCRIPTS", "0", "delete transcript segments this long after they were spoken, such as 365d; 0 keeps them", &c.retain[1]},
		{"retain-events", "GMC_RETAIN_EVENTS", "0", "delete audit events this long after they happened, such as 730d; 0 keeps them", &c.retain[2]},
		{"dndbeyond-sync", "GMC_DNDBEYOND_SYNC", "24h", "how often characters imported from D&D Beyond are re-imported (a Go duration of at least 1h, or 0 for never)", &c.dndbeyondSync},
		{"blob", "GMC_BLOB", "local", "file store: local (in the data dir) or s3", &c.Blob},
		{"s3-endpoint", "GMC_S3_ENDPOINT", "", "host[:port] of the S3-compatible store (GMC_BLOB=s3)", &c.S3Endpoint},
		{"s3-bucket", "GMC_S3_BUCKET", "", "bucket the files go to (created when missing)", &c.S3Bucket},
		{"s3-access-key", "GMC_S3_ACCESS_KEY", "", "access key id for the S3 store (the secret is read from GMC_S3_SECRET_KEY only)", &c.S3AccessKey},
		{"s3-region", "GMC_S3_REGION", "", "region of the S3 bucket (empty lets the store say)", &c.S3Region},
		{"s3-insecure", "GMC_S3_INSECURE", "false", "speak plain http to the S3 store (loopback or a private network only)", &c.s3Insecure},
		{"clamd-addr", "GMC_CLAMD_ADDR", "", "clamd's host:port or Unix socket path to scan uploads for viruses (empty: no scan)", &c.ClamdAddr},
		{"file-max-bytes", "GMC_FILE_MAX_BYTES", "26214400", "largest uploaded file in bytes", &c.fileMaxBytes},
		{"file-quota-bytes", "GMC_FILE_QUOTA_BYTES", "1073741824", "bytes of files each campaign may keep", &c.fileQuotaBytes},
		{"diart-url", "GMC_DIART_URL", "", "ws:// address of a Diart streaming server (diart.serve)", &c.DiartURL},
		{"llm-base-url", "GMC_LLM_BASE_URL", "", "base URL (…/v1) of an OpenAI-compatible chat server for the AI features; empty uses the built-in generators", &c.LLMBaseURL},
		{"llm-model", "GMC_LLM_MODEL", "", "model name sent to the chat server", &c.LLMModel},
		{"llm-timeout", "GMC_LLM_TIMEOUT", "2m", "longest wait for one chat request, or between two chunks of a streamed answer (a Go duration)", &c.llmTimeout},
		{"llm-total-timeout", "GMC_LLM_TOTAL_TIMEOUT", "5m", "longest wait for one answer, retries and repair included (a Go duration)", &c.llmTotalTimeout},
		{"discord-api-url", "GMC_DISCORD_API_URL", "https://discord.com/api/v10", "Discord's API root; every Discord request goes there, whatever host a webhook URL names", &c.DiscordAPIURL},
		{"llm-concurrency", "GMC_LLM_CONCURRENCY", "2", "how many chat requests run at once; more wait their turn", &c.llmConcurrency},
		{"embeddings-base-url", "GMC_EMBEDDINGS_BASE_URL", "", "base URL (…/v1) of an OpenAI-compatible embeddings server; empty uses GMC_LLM_BASE_URL", &c.EmbeddingsBaseURL},
		{"embeddings-model", "GMC_EMBEDDINGS_MODEL", "", "embedding model for semantic search and AI context; empty turns semantic similarity off", &c.EmbeddingsModel},
		{"embeddings-cache-bytes", "GMC_EMBEDDINGS_CACHE_BYTES", "268435456", "memory in bytes that keeps campaigns' vectors between similarity lookups, least recently used dropped first; 0 keeps none", &c.embeddingsCacheBytes},
		{"metrics-addr", "GMC_METRICS_ADDR", "", "host:port of a separate listener serving Prometheus metrics at /metrics (empty: none)", &c.MetricsAddr},
		{"metrics-on-main", "GMC_METRICS_ON_MAIN", "false", "also serve /metrics, without authentication, on the main address", &c.metricsOnMain},
		{"otel-endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "", "base URL of an OpenTelemetry collector's OTLP/HTTP receiver (e.g. http://127.0.0.1:4318) to send traces to (empty: no tracing)", &c.OTLPEndpoint},
		{"rate-limits", "GMC_RATE_LIMITS", "auth=60/1m,read=1200/1m,write=300/1m,search=300/1m,ai=30/1m,audio=120/1m",
			"requests per class and window: auth per client address, read, write, search, ai and audio per account (class=limit/window,…), or off", &c.RateLimits},
		{"cors-origins", "GMC_CORS_ORIGINS", "", "comma-separated origins (https://app.example.com) whose pages may call the API from a browser", &c.corsOrigins},
		{"outbound-allow-private", "GMC_OUTBOUND_ALLOW_PRIVATE", "false", "let Discord's and D&D Beyond's host names resolve to private addresses (test stand-ins only)", &c.outboundAllowPrivate},
	}
}

// Load reads the settings for a command from its flags and the environment.
// The secret key is read from GMC_SECRET_KEY only: a flag would show it in
// the process list. Each secret setting may instead name a file in
// NAME_FILE (see secretSettings). With -h it prints the flags and returns flag.ErrHelp.
func Load(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, []string, error) {
	return LoadWith(name, args, getenv, stderr, nil)
}

// LoadWith is Load for a command with flags of its own, which extra
// defines on the flag set before it is parsed.
func LoadWith(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (Config, []string, error) {
	var c Config
	getenv, fileErr := withSecretFiles(getenv)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if extra != nil {
		extra(fs)
	}
	for _, s := range c.settings() {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.dst, s.flag, def, s.usage+" ($"+s.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	c.SecretKey = getenv("GMC_SECRET_KEY")
	c.WhisperAPIKey = getenv("GMC_WHISPER_API_KEY")
	c.LLMAPIKey = getenv("GMC_LLM_API_KEY")
	c.EmbeddingsAPIKey = getenv("GMC_EMBEDDINGS_API_KEY")
	c.DiscordBotToken = getenv("GMC_DISCORD_BOT_TOKEN")
	for _, k := range strings.Split(getenv("GMC_PREVIOUS_SECRET_KEYS"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			c.PreviousSecretKeys = append(c.PreviousSecretKeys, k)
		}
	}
	// Validate names a bad value of these three.
	c.LLMTimeout, _ = time.ParseDuration(c.llmTimeout)
	c.LLMTotalTimeout, _ = time.ParseDuration(c.llmTotalTimeout)
	c.LLMConcurrency, _ = strconv.Atoi(c.llmConcurrency)
	c.S3SecretKey = getenv("GMC_S3_SECRET_KEY")
	// Validate names a bad value of each.
	c.S3Insecure, _ = strconv.ParseBool(c.s3Insecure)
	c.MetricsOnMain, _ = strconv.ParseBool(c.metricsOnMain)
	c.OutboundAllowPrivate, _ = strconv.ParseBool(c.outboundAllowPrivate)
	for _, o := range strings.Split(c.corsOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	c.FileMaxBytes, _ = strconv.ParseInt(c.fileMaxBytes, 10, 64)
	c.EmbeddingsCacheBytes, _ = strconv.ParseInt(c.embeddingsCacheBytes, 10, 64)
	c.FileQuotaBytes, _ = strconv.ParseInt(c.fileQuotaBytes, 10, 64)
	c.ShutdownTimeout, _ = time.ParseDuration(c.shutdownTimeout) // Validate names a bad value
	c.ReadReplicaMaxLag, _ = time.ParseDuration(c.readReplicaMaxLag)
	for _, o := range strings.Split(c.allowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.AllowedOrigins = append(c.AllowedOrigins, o)
		}
	}
	c.TrustedProxies, _ = parseProxies(c.trustedProxies)     // Validate names a bad value
	c.JobWorkers, _ = strconv.Atoi(c.jobWorkers)             // Validate names a bad value
	c.DndBeyondSync, _ = time.ParseDuration(c.dndbeyondSync) // Validate names a bad value
	c.JobRescueAfter, _ = parseDurationOrZero(c.jobRescueAfter)
	// Validate names a bad value of these three.
	c.FeaturesOff, _ = gmc.ParseFeatures(c.featuresOff) // Validate names a bad value
	c.CampaignAITokensPerMonth, _ = strconv.ParseInt(c.campaignBudgets[0], 10, 64)
	c.CampaignAudioMinutesPerMonth, _ = strconv.ParseInt(c.campaignBudgets[1], 10, 64)
	c.MaxBodyBytes, _ = strconv.ParseInt(c.maxBodyBytes, 10, 64)
	c.MaxRecordingBytes, _ = strconv.ParseInt(c.maxRecordingBytes, 10, 64)
	c.RequestTimeouts, _ = ParseRequestTimeouts(c.requestTimeouts)
	c.RetainRecordings, _ = ParseRetention(c.retain[0])
	c.RetainTranscripts, _ = ParseRetention(c.retain[1])
	c.RetainEvents, _ = ParseRetention(c.retain[2])
	return c, fs.Args(), errors.Join(fileErr, c.Validate())
}

// parseProxies reads a comma-separated list of IP addresses and CIDR
// prefixes; an address stands for itself alone.
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR prefix such as 10.0.0.0/8", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Validate checks every setting and names the variable of each problem.
func (c Config) Validate() error {
	var errs []error
	bad := func(env, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", env, fmt.Sprintf(format, args...)))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("GMC_ADDR", "must be host:port, got %q", c.Addr)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("GMC_DATA_DIR", "must not be empty")
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("GMC_DATABASE_URL", "must be a postgres:// or postgresql:// URL (leave empty for SQLite)")
		}
	}
	if c.DatabaseReadURL != "" {
		u, err := url.Parse(c.DatabaseReadURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			bad("GMC_DATABASE_READ_URL", "must be a postgres:// or postgresql:// URL")
		} else if c.DatabaseURL == "" {
			bad("GMC_DATABASE_READ_URL", "needs GMC_DATABASE_URL (a replica of the PostgreSQL database; SQLite has none)")
		}
	}
	if c.readReplicaMaxLag != "" && c.ReadReplicaMaxLag <= 0 {
		bad("GMC_READ_REPLICA_MAX_LAG", "must be a positive duration such as 5s, got %q", c.readReplicaMaxLag)
	}
	if c.RedisURL != "" {
		u, err := url.Parse(c.RedisURL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			bad("GMC_REDIS_URL", "must be a redis:// or rediss:// URL")
		}
	}
	switch c.STT {
	case "auto", "off", "pocketsphinx", "whisper":
	default:
		bad("GMC_STT", "must be auto, off, pocketsphinx or whisper, got %q", c.STT)
	}
	if c.STT == "whisper" && c.WhisperURL == "" {
		bad("GMC_WHISPER_URL", "must be set when GMC_STT is whisper")
	}
	if c.WhisperURL != "" {
		if u, err := url.Parse(c.WhisperURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("GMC_WHISPER_URL", "must be an http:// or https:// URL")
		}
	}
	switch c.Diarization {
	case "auto", "builtin", "diart", "tracks":
	default:
		bad("GMC_DIARIZATION", "must be auto, builtin, diart or tracks, got %q", c.Diarization)
	}
	if c.Diarization == "diart" && c.DiartURL == "" {
		bad("GMC_DIART_URL", "must be set when GMC_DIARIZATION is diart")
	}
	if c.DiartURL != "" {
		if u, err := url.Parse(c.DiartURL); err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
			bad("GMC_DIART_URL", "must be a ws:// or wss:// URL")
		}
	}
	c.validateLLM(bad)
	c.validateEmbeddings(bad)
	c.validateDiscord(bad)
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		bad("GMC_SECRET_KEY", "must be at least 32 characters (or empty to use a generated key)")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("GMC_LOG_FORMAT", "must be json or text, got %q", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("GMC_LOG_LEVEL", "must be debug, info, warn or error, got %q", c.LogLevel)
	}
	if _, err := parseProxies(c.trustedProxies); err != nil {
		bad("GMC_TRUSTED_PROXIES", "%v", err)
	}
	if d, err := parseDurationOrZero(c.jobRescueAfter); err != nil || d < 0 || (d > 0 && d < time.Second) {
		bad("GMC_JOB_RESCUE_AFTER", "must be 0 or a duration of at least 1s such as 10m, got %q", c.jobRescueAfter)
	}
	if n, err := strconv.Atoi(c.jobWorkers); err != nil || n < 1 || n > 1000 {
		bad("GMC_JOB_WORKERS", "must be a whole number from 1 to 1000, got %q", c.jobWorkers)
	}
	if c.DndBeyondURL != "off" {
		if u, err := url.Parse(c.DndBeyondURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("GMC_DNDBEYOND_URL", "must be an http:// or https:// URL, or off")
		}
	}
	// D&D Beyond's service is unofficial and rate limited: no polling.
	if _, err := gmc.ParseFeatures(c.featuresOff); err != nil {
		bad("GMC_FEATURES_OFF", "%v", err)
	}
	for i, b := range []struct {
		env, unit string
		max       int64
	}{
		{"GMC_CAMPAIGN_AI_TOKENS_PER_MONTH", "tokens", gmc.MaxAITokensPerMonth},
		{"GMC_CAMPAIGN_AUDIO_MINUTES_PER_MONTH", "minutes", gmc.MaxAudioMinutesPerMonth},
	} {
		if n, err := strconv.ParseInt(c.campaignBudgets[i], 10, 64); c.campaignBudgets[i] != "" && (err != nil || n < 0 || n > b.max) {
			bad(b.env, "must be a whole number of %s from 0 (no limit) to %d, got %q", b.unit, b.max, c.campaignBudgets[i])
		}
	}
	if n, err := strconv.ParseInt(c.maxBodyBytes, 10, 64); err != nil || n < 1024 {
		bad("GMC_MAX_BODY_BYTES", "must be a number of bytes of at least 1024, got %q", c.maxBodyBytes)
	}
	if n, err := strconv.ParseInt(c.maxRecordingBytes, 10, 64); err != nil || n < 1024 {
		bad("GMC_RECORDING_MAX_BYTES", "must be a number of bytes of at least 1024, got %q", c.maxRecordingBytes)
	}
	if _, err := ParseRequestTimeouts(c.requestTimeouts); err != nil {
		bad("GMC_REQUEST_TIMEOUTS", "%v", err)
	}
	for i, env := range [...]string{"GMC_RETAIN_RECORDINGS", "GMC_RETAIN_TRANSCRIPTS", "GMC_RETAIN_EVENTS"} {
		if d, err := ParseRetention(c.retain[i]); err != nil || (d != 0 && d < 24*time.Hour) {
			bad(env, "must be a number of days such as 90d (at least 1d), or 0 to keep forever, got %q", c.retain[i])
		}
	}
	if d, err := time.ParseDuration(c.dndbeyondSync); err != nil || (d != 0 && d < time.Hour) {
		bad("GMC_DNDBEYOND_SYNC", "must be a duration of at least 1h, or 0 for never, got %q", c.dndbeyondSync)
	}
	if c.ShutdownTimeout <= 0 {
		bad("GMC_SHUTDOWN_TIMEOUT", "must be a positive duration such as 10s, got %q", c.shutdownTimeout)
	}
	switch c.Blob {
	case "local":
	case "s3":
		if c.S3Endpoint == "" || strings.Contains(c.S3Endpoint, "://") || strings.Contains(c.S3Endpoint, "/") {
			bad("GMC_S3_ENDPOINT", "must be host[:port] without a scheme when GMC_BLOB is s3, got %q", c.S3Endpoint)
		}
		if c.S3Bucket == "" {
			bad("GMC_S3_BUCKET", "must be set when GMC_BLOB is s3")
		}
		if c.S3AccessKey == "" || c.S3SecretKey == "" {
			bad("GMC_S3_ACCESS_KEY", "and GMC_S3_SECRET_KEY must be set when GMC_BLOB is s3")
		}
	default:
		bad("GMC_BLOB", "must be local or s3, got %q", c.Blob)
	}
	for _, o := range c.CORSOrigins {
		if !validOrigin(o) {
			bad("GMC_CORS_ORIGINS", "%q is not an origin such as https://app.example.com (scheme, host and port only; no *)", o)
		}
	}
	if _, err := strconv.ParseBool(c.outboundAllowPrivate); c.outboundAllowPrivate != "" && err != nil {
		bad("GMC_OUTBOUND_ALLOW_PRIVATE", "must be true or false, got %q", c.outboundAllowPrivate)
	}
	if _, err := strconv.ParseBool(c.s3Insecure); err != nil {
		bad("GMC_S3_INSECURE", "must be true or false, got %q", c.s3Insecure)
	}
	c.validateObservability(bad)
	if c.FileMaxBytes <= 0 {
		bad("GMC_FILE_MAX_BYTES", "must be a positive number of bytes, got %q", c.fileMaxBytes)
	}
	if c.FileQuotaBytes <= 0 {
		bad("GMC_FILE_QUOTA_BYTES", "must be a positive number of bytes, got %q", c.fileQuotaBytes)
	}
	return errors.Join(errs...)
}

func (c Config) validateEmbeddings(bad func(env, format string, args ...any)) {
	if c.EmbeddingsBaseURL != "" {
		u, err := url.Parse(c.EmbeddingsBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("GMC_EMBEDDINGS_BASE_URL", "must be an http:// or https:// URL such as http://127.0.0.1:11434/v1")
		} else if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			bad("GMC_EMBEDDINGS_BASE_URL", "must have no user, query or fragment (the key goes in GMC_EMBEDDINGS_API_KEY)")
		}
		if strings.TrimSpace(c.EmbeddingsModel) == "" {
			bad("GMC_EMBEDDINGS_MODEL", "must be set when GMC_EMBEDDINGS_BASE_URL is")
		}
	}
	if strings.TrimSpace(c.EmbeddingsModel) != "" && c.EmbeddingsURL() == "" {
		bad("GMC_EMBEDDINGS_BASE_URL", "must be set (or GMC_LLM_BASE_URL) when GMC_EMBEDDINGS_MODEL is")
	}
	if strings.ContainsFunc(c.EmbeddingsAPIKey, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		bad("GMC_EMBEDDINGS_API_KEY", "must not contain spaces or control characters")
	}
	if n, err := strconv.ParseInt(c.embeddingsCacheBytes, 10, 64); err != nil || n < 0 {
		bad("GMC_EMBEDDINGS_CACHE_BYTES", "must be a number of bytes, 0 or more, got %q", c.embeddingsCacheBytes)
	}
}

func (c Config) validateLLM(bad func(env, format string, args ...any)) {
	if c.LLMBaseURL != "" {
		u, err := url.Parse(c.LLMBaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("GMC_LLM_BASE_URL", "must be an http:// or https:// URL such as http://127.0.0.1:11434/v1")
		} else if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			bad("GMC_LLM_BASE_URL", "must have no user, query or fragment (the key goes in GMC_LLM_API_KEY)")
		}
		if strings.TrimSpace(c.LLMModel) == "" {
			bad("GMC_LLM_MODEL", "must be set when GMC_LLM_BASE_URL is")
		}
	} else if c.LLMModel != "" || c.LLMAPIKey != "" {
		bad("GMC_LLM_BASE_URL", "must be set when GMC_LLM_MODEL or GMC_LLM_API_KEY is")
	}
	if strings.ContainsFunc(c.LLMAPIKey, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		// The value is a secret: the message must not repeat it.
		bad("GMC_LLM_API_KEY", "must not contain spaces or control characters")
	}
	if c.LLMTimeout <= 0 {
		bad("GMC_LLM_TIMEOUT", "must be a positive duration such as 2m, got %q", c.llmTimeout)
	}
	if c.LLMTotalTimeout <= 0 {
		bad("GMC_LLM_TOTAL_TIMEOUT", "must be a positive duration such as 5m, got %q", c.llmTotalTimeout)
	} else if c.LLMTimeout > 0 && c.LLMTotalTimeout < c.LLMTimeout {
		bad("GMC_LLM_TOTAL_TIMEOUT", "must be at least GMC_LLM_TIMEOUT (%v), got %v", c.LLMTimeout, c.LLMTotalTimeout)
	}
	if n, err := strconv.Atoi(c.llmConcurrency); err != nil || n < 1 || n > 1000 {
		bad("GMC_LLM_CONCURRENCY", "must be a whole number from 1 to 1000, got %q", c.llmConcurrency)
	}
}

func (c Config) validateDiscord(bad func(env, format string, args ...any)) {
	if u, err := url.Parse(c.DiscordAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("GMC_DISCORD_API_URL", "must be an http:// or https:// URL such as https://discord.com/api/v10")
	} else if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		bad("GMC_DISCORD_API_URL", "must have no user, query or fragment")
	}
	if strings.ContainsFunc(c.DiscordBotToken, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		// A secret: the message must not repeat it.
		bad("GMC_DISCORD_BOT_TOKEN", "must not contain spaces or control characters")
	}
	for i, k := range c.PreviousSecretKeys {
		if key, ok := strings.CutPrefix(k, "hex:"); ok {
			if b, err := hex.DecodeString(key); err != nil || len(b) < 32 {
				bad("GMC_PREVIOUS_SECRET_KEYS", "key %d: hex: must be followed by at least 32 bytes in hex", i+1)
			}
		} else if len(k) < 32 {
			bad("GMC_PREVIOUS_SECRET_KEYS", "key %d: must be at least 32 characters, or hex: and a data/secret.key's contents", i+1)
		}
	}
}

// PreviousSecretKeyBytes returns PreviousSecretKeys as keys: a "hex:"
// entry (the contents of a generated data/secret.key) decoded, any other
// taken as it is, as GMC_SECRET_KEY is.
func (c Config) PreviousSecretKeyBytes() [][]byte {
	var out [][]byte
	for _, k := range c.PreviousSecretKeys {
		if h, ok := strings.CutPrefix(k, "hex:"); ok {
			if b, err := hex.DecodeString(h); err == nil {
				out = append(out, b)
			}
			continue
		}
		out = append(out, []byte(k))
	}
	return out
}

// LLMEnabled reports whether the AI features use a chat server rather
// than the built-in generators.
func (c Config) LLMEnabled() bool { return c.LLMBaseURL != "" }

// EmbeddingsEnabled reports whether semantic similarity runs.
func (c Config) EmbeddingsEnabled() bool { return c.EmbeddingsModel != "" && c.EmbeddingsURL() != "" }

// EmbeddingsURL is the embeddings server's base URL: its own, or the LLM's.
func (c Config) EmbeddingsURL() string { return cmp.Or(c.EmbeddingsBaseURL, c.LLMBaseURL) }

// EmbeddingsKey is the embeddings server's key: its own, or the LLM's when
// the server is the LLM's.
func (c Config) EmbeddingsKey() string {
	if c.EmbeddingsAPIKey == "" && c.EmbeddingsBaseURL == "" {
		return c.LLMAPIKey
	}
	return c.EmbeddingsAPIKey
}

// DatabaseBackend names the store backend the settings select.
func (c Config) DatabaseBackend() string {
	if c.DatabaseURL == "" {
		return "sqlite"
	}
	return "postgres"
}

// validOrigin reports whether o is an origin as browsers send it: http or
// https, a host, an optional port, nothing else.
func validOrigin(o string) bool {
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || (scheme != "http" && scheme != "https") || rest == "" || strings.ContainsAny(rest, "/?#@ *") {
		return false
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == rest
}

// parseDurationOrZero reads a Go duration, "0" meaning none.
func parseDurationOrZero(s string) (time.Duration, error) {
	if s == "0" || s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

func (c Config) validateObservability(bad func(env, format string, args ...any)) {
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			bad("GMC_METRICS_ADDR", "must be host:port, got %q", c.MetricsAddr)
		} else if c.MetricsAddr == c.Addr {
			bad("GMC_METRICS_ADDR", "must differ from GMC_ADDR (use GMC_METRICS_ON_MAIN=true to serve metrics there)")
		}
	}
	if _, err := strconv.ParseBool(c.metricsOnMain); err != nil {
		bad("GMC_METRICS_ON_MAIN", "must be true or false, got %q", c.metricsOnMain)
	}
	if c.OTLPEndpoint != "" {
		if u, err := url.Parse(c.OTLPEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("OTEL_EXPORTER_OTLP_ENDPOINT", "must be an http:// or https:// URL such as http://127.0.0.1:4318")
		}
	}
}

// ParseRetention reads a retention period: a number of days such as
// "90d", a Go duration such as "2160h", or "0" (or nothing) for none.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100*365 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := parseDurationOrZero(s)
	if err == nil && d < 0 {
		err = fmt.Errorf("%q is negative", s)
	}
	return d, err
}

// ParseRequestTimeouts reads "class=duration,…" (GMC_REQUEST_TIMEOUTS);
// the classes are RequestTimeoutClasses, each duration positive.
func ParseRequestTimeouts(s string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		class, value, ok := strings.Cut(part, "=")
		class = strings.TrimSpace(class)
		if !ok || !slices.Contains(RequestTimeoutClasses, class) {
			return nil, fmt.Errorf("%q: want class=duration with a class of %s", part, strings.Join(RequestTimeoutClasses, ", "))
		}
		d, err := time.ParseDuration(strings.TrimSpace(value))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%s: %q is not a positive duration such as 30s", class, value)
		}
		out[class] = d
	}
	return out, nil
}
