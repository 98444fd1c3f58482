package app

import (
	"context"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/blob/s3test"
	"github.com/gmc-project/gmc/internal/config"
)

// TestOpenBlobs: the settings choose the file store, and a store that
// cannot be reached stops the start with the setting named, never its
// secret.
func TestOpenBlobs(t *testing.T) {
	t.Parallel()
	endpoint := s3test.Start(t, "id", "very-secret-s3-key")
	s3 := config.Config{Blob: "s3", S3Endpoint: endpoint, S3Bucket: "gmc-files", S3AccessKey: "id",
		S3SecretKey: "very-secret-s3-key", S3Insecure: true}
	tests := []struct {
		name    string
		cfg     config.Config
		backend string
	}{
		{"local", config.Config{Blob: "local", DataDir: t.TempDir()}, "dir"},
		{"unset", config.Config{DataDir: t.TempDir()}, "dir"},
		{"s3", s3, "s3"},
	}
	for _, tc := range tests {
		b, err := openBlobs(context.Background(), tc.cfg)
		if err != nil || b.Backend() != tc.backend {
			t.Errorf("%s: openBlobs = %v, %v; want %s", tc.name, b, err, tc.backend)
		}
	}
	down, wrongKey := s3, s3
	down.S3Endpoint = "127.0.0.1:1"
	wrongKey.S3SecretKey = "another-secret-key"
	for _, cfg := range []config.Config{down, wrongKey} {
		_, err := openBlobs(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), "GMC_BLOB=s3") || strings.Contains(err.Error(), cfg.S3SecretKey) {
			t.Errorf("openBlobs(%s, wrong or no store) = %v; want an error naming GMC_BLOB=s3 without the secret", cfg.S3Endpoint, err)
		}
	}
}
