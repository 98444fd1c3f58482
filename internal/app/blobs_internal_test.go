package app

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/gmc-project/gmc/internal/config"
)

// TestOpenBlobs: the settings choose the file store, and a store that
// cannot be reached stops the start with the setting named, never its
// secret.
func TestOpenBlobs(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	s3 := config.Config{Blob: "s3", S3Endpoint: strings.TrimPrefix(srv.URL, "http://"), S3Bucket: "gmc-files", S3AccessKey: "id",
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
	down := s3
	down.S3Endpoint = "127.0.0.1:1"
	_, err := openBlobs(context.Background(), down)
	if err == nil || !strings.Contains(err.Error(), "GMC_BLOB=s3") || strings.Contains(err.Error(), "very-secret-s3-key") {
		t.Errorf("openBlobs(unreachable) = %v; want an error naming GMC_BLOB=s3 without the secret", err)
	}
}
