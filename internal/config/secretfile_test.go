package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsFromFiles reads every secret setting from NAME_FILE, and
// refuses both set, a missing file and an empty one without repeating the
// secret.
func TestSecretsFromFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key := strings.Repeat("s", 40)
	ok := map[string]string{
		"GMC_SECRET_KEY_FILE":           write("key", key+"\n"),
		"GMC_PREVIOUS_SECRET_KEYS_FILE": write("prev", strings.Repeat("p", 32)+","+strings.Repeat("q", 32)+"\r\n"),
		"GMC_DATABASE_URL_FILE":         write("db", "postgres://gmc:pw@db/gmc\n"),
		"GMC_REDIS_URL_FILE":            write("redis", "redis://:pw@redis:6379/0"),
		"GMC_LLM_BASE_URL":              "http://127.0.0.1:11434/v1",
		"GMC_LLM_MODEL":                 "m",
		"GMC_LLM_API_KEY_FILE":          write("llm", "sk-llm\n\n"),
		"GMC_WHISPER_API_KEY_FILE":      write("whisper", "sk-whisper\n"),
		"GMC_DISCORD_BOT_TOKEN_FILE":    write("discord", "bot.token\n"),
		"GMC_BLOB":                      "s3",
		"GMC_S3_ENDPOINT":               "minio:9000",
		"GMC_S3_BUCKET":                 "gmc",
		"GMC_S3_ACCESS_KEY_FILE":        write("s3a", "access\n"),
		"GMC_S3_SECRET_KEY_FILE":        write("s3s", "secret s3\n"),
	}
	c, _, err := Load("serve", nil, env(ok), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{
		"secret key": c.SecretKey, "previous keys": strings.Join(c.PreviousSecretKeys, ","), "database": c.DatabaseURL, "redis": c.RedisURL,
		"llm": c.LLMAPIKey, "whisper": c.WhisperAPIKey, "discord": c.DiscordBotToken, "s3 access": c.S3AccessKey, "s3 secret": c.S3SecretKey,
	}
	want := map[string]string{
		"secret key": key, "previous keys": strings.Repeat("p", 32) + "," + strings.Repeat("q", 32), "database": "postgres://gmc:pw@db/gmc",
		"redis": "redis://:pw@redis:6379/0", "llm": "sk-llm", "whisper": "sk-whisper", "discord": "bot.token", "s3 access": "access", "s3 secret": "secret s3",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}

	bad := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"both set", map[string]string{"GMC_SECRET_KEY": key, "GMC_SECRET_KEY_FILE": write("k2", key)}, "GMC_SECRET_KEY_FILE: GMC_SECRET_KEY is set too"},
		{"missing file", map[string]string{"GMC_DISCORD_BOT_TOKEN_FILE": filepath.Join(dir, "nope")}, "GMC_DISCORD_BOT_TOKEN_FILE:"},
		{"empty file", map[string]string{"GMC_LLM_API_KEY_FILE": write("empty", "\n")}, "GMC_LLM_API_KEY_FILE:"},
		{"value checked like the variable's", map[string]string{"GMC_SECRET_KEY_FILE": write("short", "short-secret\n")}, "GMC_SECRET_KEY: must be at least 32"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Load("serve", nil, env(tc.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want an error with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "short-secret") {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
}
