package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, _, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.DatabaseBackend() != "sqlite" || c.LogFormat != "text" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestFlagsWinOverEnv(t *testing.T) {
	t.Parallel()
	c, _, err := Load("serve", []string{"-addr", "127.0.0.1:9000"}, env(map[string]string{"GMC_ADDR": "127.0.0.1:7000", "GMC_LOG_FORMAT": "json"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.LogFormat != "json" {
		t.Errorf("Load = %+v, want flag addr and env log format", c)
	}
}

func TestValidateNamesVariable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"GMC_ADDR": "nope"}, "GMC_ADDR"},
		{map[string]string{"GMC_CORS_ORIGINS": "https://app.example.com, *"}, "GMC_CORS_ORIGINS"},
		{map[string]string{"GMC_CORS_ORIGINS": "https://app.example.com/path"}, "GMC_CORS_ORIGINS"},
		{map[string]string{"GMC_CORS_ORIGINS": "app.example.com"}, "GMC_CORS_ORIGINS"},
		{map[string]string{"GMC_OUTBOUND_ALLOW_PRIVATE": "maybe"}, "GMC_OUTBOUND_ALLOW_PRIVATE"},
		{map[string]string{"GMC_DATABASE_URL": "mysql://x"}, "GMC_DATABASE_URL"},
		{map[string]string{"GMC_REDIS_URL": "http://x"}, "GMC_REDIS_URL"},
		{map[string]string{"GMC_SECRET_KEY": "short"}, "GMC_SECRET_KEY"},
		{map[string]string{"GMC_LOG_FORMAT": "xml"}, "GMC_LOG_FORMAT"},
		{map[string]string{"GMC_LOG_LEVEL": "loud"}, "GMC_LOG_LEVEL"},
		{map[string]string{"GMC_SHUTDOWN_TIMEOUT": "soon"}, "GMC_SHUTDOWN_TIMEOUT"},
		{map[string]string{"GMC_SHUTDOWN_TIMEOUT": "-1s"}, "GMC_SHUTDOWN_TIMEOUT"},
		{map[string]string{"GMC_TRUSTED_PROXIES": "10.0.0.1, proxy.internal"}, "GMC_TRUSTED_PROXIES"},
		{map[string]string{"GMC_TRUSTED_PROXIES": "10.0.0.0/33"}, "GMC_TRUSTED_PROXIES"},
		{map[string]string{"GMC_JOB_WORKERS": "0"}, "GMC_JOB_WORKERS"},
		{map[string]string{"GMC_JOB_WORKERS": "many"}, "GMC_JOB_WORKERS"},
		{map[string]string{"GMC_STT": "vosk"}, "GMC_STT"},
		{map[string]string{"GMC_STT": "whisper"}, "GMC_WHISPER_URL"},
		{map[string]string{"GMC_WHISPER_URL": "ftp://host/x"}, "GMC_WHISPER_URL"},
		{map[string]string{"GMC_DIARIZATION": "pyannote"}, "GMC_DIARIZATION"},
		{map[string]string{"GMC_DIARIZATION": "diart"}, "GMC_DIART_URL"},
		{map[string]string{"GMC_DIART_URL": "http://127.0.0.1:7007"}, "GMC_DIART_URL"},
		{map[string]string{"GMC_LLM_BASE_URL": "localhost:11434", "GMC_LLM_MODEL": "m"}, "GMC_LLM_BASE_URL"},
		{map[string]string{"GMC_LLM_BASE_URL": "http://u:p@127.0.0.1/v1", "GMC_LLM_MODEL": "m"}, "GMC_LLM_BASE_URL"},
		{map[string]string{"GMC_LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "GMC_LLM_MODEL"},
		{map[string]string{"GMC_LLM_MODEL": "qwen2.5:7b-instruct"}, "GMC_LLM_BASE_URL"},
		{map[string]string{"GMC_LLM_API_KEY": "sk-x"}, "GMC_LLM_BASE_URL"},
		{map[string]string{"GMC_EMBEDDINGS_MODEL": "nomic-embed-text"}, "GMC_EMBEDDINGS_BASE_URL"},
		{map[string]string{"GMC_EMBEDDINGS_BASE_URL": "http://127.0.0.1:11434/v1"}, "GMC_EMBEDDINGS_MODEL"},
		{map[string]string{"GMC_EMBEDDINGS_BASE_URL": "localhost:11434", "GMC_EMBEDDINGS_MODEL": "m"}, "GMC_EMBEDDINGS_BASE_URL"},
		{map[string]string{"GMC_DATABASE_READ_URL": "postgres://replica/gmc"}, "GMC_DATABASE_READ_URL"},
		{map[string]string{"GMC_DATABASE_URL": "postgres://primary/gmc", "GMC_DATABASE_READ_URL": "mysql://replica"}, "GMC_DATABASE_READ_URL"},
		{map[string]string{"GMC_READ_REPLICA_MAX_LAG": "-1s"}, "GMC_READ_REPLICA_MAX_LAG"},
		{map[string]string{"GMC_READ_REPLICA_MAX_LAG": "soon"}, "GMC_READ_REPLICA_MAX_LAG"},
		{map[string]string{"GMC_LLM_TIMEOUT": "soon"}, "GMC_LLM_TIMEOUT"},
		{map[string]string{"GMC_LLM_TIMEOUT": "0s"}, "GMC_LLM_TIMEOUT"},
		{map[string]string{"GMC_LLM_TOTAL_TIMEOUT": "-5m"}, "GMC_LLM_TOTAL_TIMEOUT"},
		{map[string]string{"GMC_LLM_TIMEOUT": "10m", "GMC_LLM_TOTAL_TIMEOUT": "1m"}, "GMC_LLM_TOTAL_TIMEOUT"},
		{map[string]string{"GMC_LLM_CONCURRENCY": "0"}, "GMC_LLM_CONCURRENCY"},
		{map[string]string{"GMC_LLM_CONCURRENCY": "lots"}, "GMC_LLM_CONCURRENCY"},
		{map[string]string{"GMC_DISCORD_API_URL": "discord.com/api/v10"}, "GMC_DISCORD_API_URL"},
		{map[string]string{"GMC_DISCORD_API_URL": "https://discord.com/api/v10?x=1"}, "GMC_DISCORD_API_URL"},
		{map[string]string{"GMC_DISCORD_BOT_TOKEN": "a b"}, "GMC_DISCORD_BOT_TOKEN"},
		{map[string]string{"GMC_PREVIOUS_SECRET_KEYS": "short"}, "GMC_PREVIOUS_SECRET_KEYS"},
		{map[string]string{"GMC_PREVIOUS_SECRET_KEYS": "hex:zz"}, "GMC_PREVIOUS_SECRET_KEYS"},
		{map[string]string{"GMC_BLOB": "ftp"}, "GMC_BLOB"},
		{map[string]string{"GMC_BLOB": "s3", "GMC_S3_BUCKET": "b", "GMC_S3_ACCESS_KEY": "a", "GMC_S3_SECRET_KEY": "s"}, "GMC_S3_ENDPOINT"},
		{map[string]string{"GMC_BLOB": "s3", "GMC_S3_ENDPOINT": "https://s3.example.com", "GMC_S3_BUCKET": "b", "GMC_S3_ACCESS_KEY": "a", "GMC_S3_SECRET_KEY": "s"}, "GMC_S3_ENDPOINT"},
		{map[string]string{"GMC_BLOB": "s3", "GMC_S3_ENDPOINT": "s3.example.com", "GMC_S3_ACCESS_KEY": "a", "GMC_S3_SECRET_KEY": "s"}, "GMC_S3_BUCKET"},
		{map[string]string{"GMC_BLOB": "s3", "GMC_S3_ENDPOINT": "s3.example.com", "GMC_S3_BUCKET": "b", "GMC_S3_ACCESS_KEY": "a"}, "GMC_S3_ACCESS_KEY"},
		{map[string]string{"GMC_S3_INSECURE": "maybe"}, "GMC_S3_INSECURE"},
		{map[string]string{"GMC_FILE_MAX_BYTES": "25MB"}, "GMC_FILE_MAX_BYTES"},
		{map[string]string{"GMC_FILE_QUOTA_BYTES": "0"}, "GMC_FILE_QUOTA_BYTES"},
		{map[string]string{"GMC_EMBEDDINGS_CACHE_BYTES": "256MiB"}, "GMC_EMBEDDINGS_CACHE_BYTES"},
		{map[string]string{"GMC_EMBEDDINGS_CACHE_BYTES": "-1"}, "GMC_EMBEDDINGS_CACHE_BYTES"},
		{map[string]string{"GMC_CAMPAIGN_AI_TOKENS_PER_MONTH": "-1"}, "GMC_CAMPAIGN_AI_TOKENS_PER_MONTH"},
		{map[string]string{"GMC_CAMPAIGN_AI_TOKENS_PER_MONTH": "1.5"}, "GMC_CAMPAIGN_AI_TOKENS_PER_MONTH"},
		{map[string]string{"GMC_CAMPAIGN_AI_TOKENS_PER_MONTH": "1e6"}, "GMC_CAMPAIGN_AI_TOKENS_PER_MONTH"},
		{map[string]string{"GMC_CAMPAIGN_AUDIO_MINUTES_PER_MONTH": "lots"}, "GMC_CAMPAIGN_AUDIO_MINUTES_PER_MONTH"},
		{map[string]string{"GMC_CAMPAIGN_AUDIO_MINUTES_PER_MONTH": "1000001"}, "GMC_CAMPAIGN_AUDIO_MINUTES_PER_MONTH"},
		{map[string]string{"GMC_METRICS_ADDR": "9090"}, "GMC_METRICS_ADDR"},
		{map[string]string{"GMC_METRICS_ADDR": "127.0.0.1:8080"}, "GMC_METRICS_ADDR"},
		{map[string]string{"GMC_METRICS_ON_MAIN": "sometimes"}, "GMC_METRICS_ON_MAIN"},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "127.0.0.1:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{map[string]string{"GMC_MAX_BODY_BYTES": "1MiB"}, "GMC_MAX_BODY_BYTES"},
		{map[string]string{"GMC_MAX_BODY_BYTES": "10"}, "GMC_MAX_BODY_BYTES"},
		{map[string]string{"GMC_RECORDING_MAX_BYTES": "-1"}, "GMC_RECORDING_MAX_BYTES"},
		{map[string]string{"GMC_REQUEST_TIMEOUTS": "read=fast"}, "GMC_REQUEST_TIMEOUTS"},
		{map[string]string{"GMC_REQUEST_TIMEOUTS": "stream=1m"}, "GMC_REQUEST_TIMEOUTS"},
		{map[string]string{"GMC_REQUEST_TIMEOUTS": "write=0s"}, "GMC_REQUEST_TIMEOUTS"},
	}
	for _, tc := range tests {
		_, _, err := Load("serve", nil, env(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%v) error = %v, want one naming %s", tc.env, err, tc.want)
		}
	}
}

func TestShutdownTimeoutFromEnvAndFlag(t *testing.T) {
	t.Parallel()
	c, _, err := Load("serve", nil, env(map[string]string{"GMC_SHUTDOWN_TIMEOUT": "3s"}), io.Discard)
	if err != nil || c.ShutdownTimeout != 3*time.Second {
		t.Fatalf("env: ShutdownTimeout = %v, %v; want 3s", c.ShutdownTimeout, err)
	}
	c, _, err = Load("serve", []string{"-shutdown-timeout", "1m"}, env(map[string]string{"GMC_SHUTDOWN_TIMEOUT": "3s"}), io.Discard)
	if err != nil || c.ShutdownTimeout != time.Minute {
		t.Fatalf("flag: ShutdownTimeout = %v, %v; want 1m", c.ShutdownTimeout, err)
	}
}

func TestJobWorkers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  string
		args []string
		want int
	}{
		{"", nil, 2},
		{"5", nil, 5},
		{"5", []string{"-job-workers", "1"}, 1},
	}
	for _, tc := range tests {
		c, _, err := Load("serve", tc.args, env(map[string]string{"GMC_JOB_WORKERS": tc.env}), io.Discard)
		if err != nil || c.JobWorkers != tc.want {
			t.Errorf("GMC_JOB_WORKERS=%q %v: JobWorkers = %d, %v; want %d", tc.env, tc.args, c.JobWorkers, err, tc.want)
		}
	}
}

func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env, flag string
		want      []string
	}{
		{"", "", nil},
		{"10.0.0.1", "", []string{"10.0.0.1/32"}},
		{" 10.1.2.3/8 , 2001:db8::/32,::1 ", "", []string{"10.0.0.0/8", "2001:db8::/32", "::1/128"}},
		{"::ffff:192.0.2.1", "", []string{"192.0.2.1/32"}},
		{"10.0.0.1", "192.168.0.0/16", []string{"192.168.0.0/16"}},
	}
	for _, tc := range tests {
		var args []string
		if tc.flag != "" {
			args = []string{"-trusted-proxies", tc.flag}
		}
		c, _, err := Load("serve", args, env(map[string]string{"GMC_TRUSTED_PROXIES": tc.env}), io.Discard)
		if err != nil {
			t.Errorf("Load(%q, %q) = %v", tc.env, tc.flag, err)
			continue
		}
		var got []string
		for _, p := range c.TrustedProxies {
			got = append(got, p.String())
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("Load(%q, %q).TrustedProxies = %v, want %v", tc.env, tc.flag, got, tc.want)
		}
	}
}

func TestLLMSettings(t *testing.T) {
	t.Parallel()
	c, _, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.LLMEnabled() || c.LLMTimeout != 2*time.Minute || c.LLMTotalTimeout != 5*time.Minute || c.LLMConcurrency != 2 {
		t.Errorf("defaults: enabled %v, timeouts %v %v, concurrency %d", c.LLMEnabled(), c.LLMTimeout, c.LLMTotalTimeout, c.LLMConcurrency)
	}
	e := env(map[string]string{
		"GMC_LLM_BASE_URL": "http://127.0.0.1:11434/v1", "GMC_LLM_MODEL": "qwen2.5:7b-instruct", "GMC_LLM_API_KEY": "sk-local",
		"GMC_LLM_TIMEOUT": "30s", "GMC_LLM_TOTAL_TIMEOUT": "2m", "GMC_LLM_CONCURRENCY": "4",
	})
	c, _, err = Load("serve", []string{"-llm-concurrency", "1"}, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.LLMEnabled() || c.LLMBaseURL != "http://127.0.0.1:11434/v1" || c.LLMModel != "qwen2.5:7b-instruct" || c.LLMAPIKey != "sk-local" ||
		c.LLMTimeout != 30*time.Second || c.LLMTotalTimeout != 2*time.Minute || c.LLMConcurrency != 1 {
		t.Errorf("Load = %+v", c)
	}
}

func TestLLMAPIKeyNeverInErrors(t *testing.T) {
	t.Parallel()
	const key = "sk-secret with space"
	_, _, err := Load("serve", nil, env(map[string]string{"GMC_LLM_BASE_URL": "http://127.0.0.1/v1", "GMC_LLM_MODEL": "m", "GMC_LLM_API_KEY": key}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "GMC_LLM_API_KEY") || strings.Contains(err.Error(), "secret") {
		t.Errorf("error = %v, want one naming GMC_LLM_API_KEY without its value", err)
	}
	var help strings.Builder
	Load("serve", []string{"-h"}, env(map[string]string{"GMC_LLM_API_KEY": "sk-hidden"}), &help)
	if strings.Contains(help.String(), "sk-hidden") || strings.Contains(help.String(), "llm-api-key") {
		t.Errorf("help shows the key or a key flag:\n%s", help.String())
	}
}

// TestS3Settings: a complete S3 configuration loads, and the secret key
// comes from the environment only and never into an error message.
func TestS3Settings(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"GMC_BLOB": "s3", "GMC_S3_ENDPOINT": "127.0.0.1:9000", "GMC_S3_BUCKET": "gmc", "GMC_S3_ACCESS_KEY": "id",
		"GMC_S3_SECRET_KEY": "very-secret-s3-key", "GMC_S3_INSECURE": "true", "GMC_CLAMD_ADDR": "127.0.0.1:3310", "GMC_FILE_MAX_BYTES": "1000"}
	c, _, err := Load("serve", nil, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Blob != "s3" || c.S3Endpoint != "127.0.0.1:9000" || c.S3SecretKey != "very-secret-s3-key" || !c.S3Insecure || c.ClamdAddr != "127.0.0.1:3310" ||
		c.FileMaxBytes != 1000 || c.FileQuotaBytes != 1<<30 {
		t.Errorf("loaded %+v", c)
	}
	vars["GMC_S3_BUCKET"] = ""
	_, _, err = Load("serve", nil, env(vars), io.Discard)
	if err == nil || strings.Contains(err.Error(), "very-secret-s3-key") {
		t.Errorf("error = %v; want one without the secret", err)
	}
}

func TestDiscordSettings(t *testing.T) {
	t.Parallel()
	c, _, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.DiscordAPIURL != "https://discord.com/api/v10" || c.DiscordBotToken != "" || len(c.PreviousSecretKeys) != 0 {
		t.Errorf("defaults: %q %q %v", c.DiscordAPIURL, c.DiscordBotToken, c.PreviousSecretKeys)
	}
	old := strings.Repeat("o", 32)
	hexKey := strings.Repeat("ab", 32)
	c, _, err = Load("serve", []string{"-discord-api-url", "http://127.0.0.1:9/api/v10"}, env(map[string]string{
		"GMC_DISCORD_BOT_TOKEN": "bot.token-x", "GMC_PREVIOUS_SECRET_KEYS": old + ", hex:" + hexKey}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	keys := c.PreviousSecretKeyBytes()
	if c.DiscordAPIURL != "http://127.0.0.1:9/api/v10" || c.DiscordBotToken != "bot.token-x" || len(keys) != 2 ||
		string(keys[0]) != old || len(keys[1]) != 32 || keys[1][0] != 0xab {
		t.Errorf("Load = %q %q %v", c.DiscordAPIURL, c.DiscordBotToken, keys)
	}
	var help strings.Builder
	Load("serve", []string{"-h"}, env(map[string]string{"GMC_DISCORD_BOT_TOKEN": "bot-hidden"}), &help)
	if strings.Contains(help.String(), "bot-hidden") || strings.Contains(help.String(), "bot-token") {
		t.Errorf("help shows the bot token or a flag for it:\n%s", help.String())
	}
}

func TestEmbeddingsSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env           map[string]string
		on            bool
		url, key, mdl string
	}{
		{map[string]string{}, false, "", "", ""},
		{map[string]string{"GMC_LLM_BASE_URL": "http://llm/v1", "GMC_LLM_MODEL": "chat", "GMC_LLM_API_KEY": "sk-llm"}, false, "http://llm/v1", "sk-llm", ""},
		{map[string]string{"GMC_LLM_BASE_URL": "http://llm/v1", "GMC_LLM_MODEL": "chat", "GMC_LLM_API_KEY": "sk-llm", "GMC_EMBEDDINGS_MODEL": "emb"},
			true, "http://llm/v1", "sk-llm", "emb"},
		{map[string]string{"GMC_LLM_BASE_URL": "http://llm/v1", "GMC_LLM_MODEL": "chat", "GMC_LLM_API_KEY": "sk-llm",
			"GMC_EMBEDDINGS_BASE_URL": "http://emb/v1", "GMC_EMBEDDINGS_MODEL": "emb"}, true, "http://emb/v1", "", "emb"},
	}
	for _, tc := range cases {
		c, _, err := Load("serve", nil, env(tc.env), io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if c.EmbeddingsEnabled() != tc.on || c.EmbeddingsURL() != tc.url || c.EmbeddingsKey() != tc.key || c.EmbeddingsModel != tc.mdl {
			t.Errorf("%v: on %v url %q key %q model %q", tc.env, c.EmbeddingsEnabled(), c.EmbeddingsURL(), c.EmbeddingsKey(), c.EmbeddingsModel)
		}
	}
	c, _, err := Load("serve", nil, env(map[string]string{"GMC_DATABASE_URL": "postgres://p/gmc", "GMC_DATABASE_READ_URL": "postgres://r/gmc", "GMC_READ_REPLICA_MAX_LAG": "2s"}), io.Discard)
	if err != nil || c.DatabaseReadURL != "postgres://r/gmc" || c.ReadReplicaMaxLag != 2*time.Second {
		t.Errorf("replica settings = %q %v, %v", c.DatabaseReadURL, c.ReadReplicaMaxLag, err)
	}
}

// TestObservabilitySettings: metrics are kept when either of their
// settings asks, flags win over the environment, and the OTLP endpoint
// comes from OpenTelemetry's own variable.
func TestObservabilitySettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env        map[string]string
		args       []string
		addr       string
		onMain, on bool
		otlp       string
	}{
		{env: nil},
		{env: map[string]string{"GMC_METRICS_ADDR": "127.0.0.1:9090"}, addr: "127.0.0.1:9090", on: true},
		{env: map[string]string{"GMC_METRICS_ON_MAIN": "true"}, onMain: true, on: true},
		{env: map[string]string{"GMC_METRICS_ON_MAIN": "true"}, args: []string{"-metrics-on-main=false"}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, otlp: "http://127.0.0.1:4318"},
	}
	for _, tc := range tests {
		c, _, err := Load("serve", tc.args, env(tc.env), io.Discard)
		if err != nil {
			t.Fatalf("Load(%v, %v): %v", tc.env, tc.args, err)
		}
		if c.MetricsAddr != tc.addr || c.MetricsOnMain != tc.onMain || c.MetricsEnabled() != tc.on || c.OTLPEndpoint != tc.otlp {
			t.Errorf("Load(%v, %v) = addr %q, on main %v, enabled %v, otlp %q", tc.env, tc.args, c.MetricsAddr, c.MetricsOnMain, c.MetricsEnabled(), c.OTLPEndpoint)
		}
	}
}

func TestRetention(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	tests := []struct {
		env     map[string]string
		want    [3]time.Duration
		wantErr string
	}{
		{nil, [3]time.Duration{}, ""},
		{map[string]string{"GMC_RETAIN_RECORDINGS": "90d", "GMC_RETAIN_TRANSCRIPTS": "365d", "GMC_RETAIN_EVENTS": "48h"}, [3]time.Duration{90 * day, 365 * day, 2 * day}, ""},
		{map[string]string{"GMC_RETAIN_RECORDINGS": "0"}, [3]time.Duration{}, ""},
		{map[string]string{"GMC_RETAIN_RECORDINGS": "ninety"}, [3]time.Duration{}, "GMC_RETAIN_RECORDINGS"},
		{map[string]string{"GMC_RETAIN_TRANSCRIPTS": "-3d"}, [3]time.Duration{}, "GMC_RETAIN_TRANSCRIPTS"},
		{map[string]string{"GMC_RETAIN_EVENTS": "1h"}, [3]time.Duration{}, "GMC_RETAIN_EVENTS"},
	}
	for _, tc := range tests {
		c, _, err := Load("serve", nil, env(tc.env), io.Discard)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: err = %v, want one naming %s", tc.env, err, tc.wantErr)
			}
			continue
		}
		if got := [3]time.Duration{c.RetainRecordings, c.RetainTranscripts, c.RetainEvents}; err != nil || got != tc.want {
			t.Errorf("%v: retention = %v, %v; want %v", tc.env, got, err, tc.want)
		}
	}
}

func TestFeaturesOff(t *testing.T) {
	t.Parallel()
	c, _, err := Load("serve", nil, env(map[string]string{"GMC_FEATURES_OFF": "ai, public_signup"}), io.Discard)
	if err != nil || len(c.FeaturesOff) != 2 || c.FeaturesOff[0] != "ai" || c.FeaturesOff[1] != "public_signup" {
		t.Errorf("FeaturesOff = %v, %v; want ai, public_signup", c.FeaturesOff, err)
	}
	if _, _, err := Load("serve", nil, env(map[string]string{"GMC_FEATURES_OFF": "ai,teleport"}), io.Discard); err == nil || !strings.Contains(err.Error(), "GMC_FEATURES_OFF") || !strings.Contains(err.Error(), "teleport") {
		t.Errorf("unknown feature: err = %v, want one naming GMC_FEATURES_OFF and the name", err)
	}
}

func TestCampaignBudgets(t *testing.T) {
	t.Parallel()
	c, _, err := Load("serve", nil, env(map[string]string{}), io.Discard)
	if err != nil || c.CampaignAITokensPerMonth != 0 || c.CampaignAudioMinutesPerMonth != 0 {
		t.Errorf("default budgets = %d, %d, %v; want 0 (no limit)", c.CampaignAITokensPerMonth, c.CampaignAudioMinutesPerMonth, err)
	}
	c, _, err = Load("serve", []string{"-campaign-audio-minutes-per-month", "600"},
		env(map[string]string{"GMC_CAMPAIGN_AI_TOKENS_PER_MONTH": "2000000", "GMC_CAMPAIGN_AUDIO_MINUTES_PER_MONTH": "90"}), io.Discard)
	if err != nil || c.CampaignAITokensPerMonth != 2_000_000 || c.CampaignAudioMinutesPerMonth != 600 {
		t.Errorf("budgets = %d, %d, %v; want 2000000 from the environment and 600 from the flag", c.CampaignAITokensPerMonth, c.CampaignAudioMinutesPerMonth, err)
	}
}

// TestRequestLimits: the body and time limits have their defaults, and
// each class's time limit can be set alone.
func TestRequestLimits(t *testing.T) {
	t.Parallel()
	c, _, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil || c.MaxBodyBytes != 1<<20 || c.MaxRecordingBytes != 2<<30 ||
		c.RequestTimeouts["read"] != 15*time.Second || c.RequestTimeouts["ai"] != 6*time.Minute {
		t.Errorf("defaults: %d, %d, %v, %v", c.MaxBodyBytes, c.MaxRecordingBytes, c.RequestTimeouts, err)
	}
	c, _, err = Load("serve", []string{"-request-timeouts", "write=2m"}, env(map[string]string{"GMC_MAX_BODY_BYTES": "4096", "GMC_FEATURES_FILE": "/etc/gmc/features"}), io.Discard)
	if err != nil || c.MaxBodyBytes != 4096 || len(c.RequestTimeouts) != 1 || c.RequestTimeouts["write"] != 2*time.Minute || c.FeaturesFile != "/etc/gmc/features" {
		t.Errorf("set: %d, %v, %q, %v", c.MaxBodyBytes, c.RequestTimeouts, c.FeaturesFile, err)
	}
}
