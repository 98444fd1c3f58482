// Package config reads gmc's settings once, from GMC_* environment
// variables and command-line flags (flags win), and validates them with
// messages that name the variable.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the server.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	RedisURL    string
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
	// SphinxNames adds the campaign's names to PocketSphinx's dictionary.
	// It is no setting: the server leaves it off (stt.Config.SphinxNames
	// says why); gmc transcribe -names turns it on.
	SphinxNames bool
	// JobWorkers is how many background jobs run at once in this process.
	JobWorkers int
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
}

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
		{"redis-url", "GMC_REDIS_URL", "", "redis://… to share live state between instances (optional)", &c.RedisURL},
		{"redis-prefix", "GMC_REDIS_PREFIX", "gmc:", "prefix of every Redis key gmc writes", &c.RedisPrefix},
		{"log-format", "GMC_LOG_FORMAT", "text", "log format: json or text", &c.LogFormat},
		{"log-level", "GMC_LOG_LEVEL", "info", "log level: debug, info, warn or error", &c.LogLevel},
		{"allowed-origins", "GMC_ALLOWED_ORIGINS", "", "comma-separated hosts (e.g. app.example.com) whose pages may open live WebSockets", &c.allowedOrigins},
		{"shutdown-timeout", "GMC_SHUTDOWN_TIMEOUT", "10s", "how long in-flight requests may finish on shutdown (a Go duration)", &c.shutdownTimeout},
		{"job-workers", "GMC_JOB_WORKERS", "2", "how many background jobs (transcriptions, summaries…) run at once in this process", &c.jobWorkers},
		{"trusted-proxies", "GMC_TRUSTED_PROXIES", "", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For/Forwarded names the client", &c.trustedProxies},
		{"stt", "GMC_STT", "auto", "speech-to-text: auto, off, pocketsphinx or whisper", &c.STT},
		{"whisper-url", "GMC_WHISPER_URL", "", "base URL of an OpenAI-compatible speech-to-text server (…/v1/audio/transcriptions is appended)", &c.WhisperURL},
		{"whisper-model", "GMC_WHISPER_MODEL", "whisper-1", "model name sent to the speech-to-text server", &c.WhisperModel},
		{"pocketsphinx-model", "GMC_POCKETSPHINX_MODEL", "/usr/share/pocketsphinx/model/en-us", "folder of the PocketSphinx acoustic model, language model and dictionary", &c.SphinxModelDir},
		{"speech-language", "GMC_SPEECH_LANGUAGE", "en", "language of the table's speech (ISO 639-1)", &c.SpeechLanguage},
		{"diarization", "GMC_DIARIZATION", "auto", "who spoke on a shared microphone: auto, builtin, diart or tracks", &c.Diarization},
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
	}
}

// Load reads the settings for a command from its flags and the environment.
// The secret key is read from GMC_SECRET_KEY only: a flag would show it in
// the process list. With -h it prints the flags and returns flag.ErrHelp.
func Load(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, []string, error) {
	return LoadWith(name, args, getenv, stderr, nil)
}

// LoadWith is Load for a command with flags of its own, which extra
// defines on the flag set before it is parsed.
func LoadWith(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (Config, []string, error) {
	var c Config
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
	c.S3SecretKey = getenv("GMC_S3_SECRET_KEY")
	// Validate names a bad value of each.
	c.S3Insecure, _ = strconv.ParseBool(c.s3Insecure)
	c.FileMaxBytes, _ = strconv.ParseInt(c.fileMaxBytes, 10, 64)
	c.FileQuotaBytes, _ = strconv.ParseInt(c.fileQuotaBytes, 10, 64)
	c.ShutdownTimeout, _ = time.ParseDuration(c.shutdownTimeout) // Validate names a bad value
	for _, o := range strings.Split(c.allowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.AllowedOrigins = append(c.AllowedOrigins, o)
		}
	}
	c.TrustedProxies, _ = parseProxies(c.trustedProxies) // Validate names a bad value
	c.JobWorkers, _ = strconv.Atoi(c.jobWorkers)         // Validate names a bad value
	return c, fs.Args(), c.Validate()
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
	if n, err := strconv.Atoi(c.jobWorkers); err != nil || n < 1 || n > 1000 {
		bad("GMC_JOB_WORKERS", "must be a whole number from 1 to 1000, got %q", c.jobWorkers)
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
	if _, err := strconv.ParseBool(c.s3Insecure); err != nil {
		bad("GMC_S3_INSECURE", "must be true or false, got %q", c.s3Insecure)
	}
	if c.FileMaxBytes <= 0 {
		bad("GMC_FILE_MAX_BYTES", "must be a positive number of bytes, got %q", c.fileMaxBytes)
	}
	if c.FileQuotaBytes <= 0 {
		bad("GMC_FILE_QUOTA_BYTES", "must be a positive number of bytes, got %q", c.fileQuotaBytes)
	}
	return errors.Join(errs...)
}

// DatabaseBackend names the store backend the settings select.
func (c Config) DatabaseBackend() string {
	if c.DatabaseURL == "" {
		return "sqlite"
	}
	return "postgres"
}
