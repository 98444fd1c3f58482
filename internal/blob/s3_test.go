package blob_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/blob/blobtest"
	"github.com/gmc-project/gmc/internal/blob/s3test"
)

// s3Server is an S3-protocol server on loopback, one per test, which
// checks that requests are signed with test-access/test-secret.
func s3Server(t *testing.T) string {
	t.Helper()
	return s3test.Start(t, "test-access", "test-secret")
}

var bucketSeq atomic.Int64

func openS3(t *testing.T, endpoint string, maxSize int64) *blob.S3 {
	t.Helper()
	s, err := blob.NewS3(context.Background(), blob.S3Config{
		Endpoint: endpoint, Bucket: fmt.Sprintf("gmc-test-%d", bucketSeq.Add(1)),
		AccessKey: "test-access", SecretKey: "test-secret", Region: "us-east-1", Insecure: true,
	}, maxSize)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3(t *testing.T) {
	t.Parallel()
	endpoint := s3Server(t)
	blobtest.Run(t, func(t *testing.T, maxSize int64) blob.Store {
		return openS3(t, endpoint, maxSize)
	})
}

// TestS3ExistingBucket opens a bucket that is already there, as a second
// instance or a restart does, and finds what the first stored.
func TestS3ExistingBucket(t *testing.T) {
	t.Parallel()
	endpoint := s3Server(t)
	cfg := blob.S3Config{Endpoint: endpoint, Bucket: "shared", AccessKey: "test-access", SecretKey: "test-secret", Insecure: true}
	first, err := blob.NewS3(context.Background(), cfg, 100)
	if err != nil {
		t.Fatal(err)
	}
	blobtest.MustPut(t, first, "k", "kept", "text/plain")
	second, err := blob.NewS3(context.Background(), cfg, 100)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := second.Stat(context.Background(), "k"); err != nil || info.Size != 4 {
		t.Errorf("Stat from a second store = %+v, %v; want the 4 bytes stored", info, err)
	}
}

func TestNewS3Refusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  blob.S3Config
		max  int64
	}{
		{"no limit", blob.S3Config{Endpoint: "127.0.0.1:1", Bucket: "b"}, 0},
		{"no endpoint", blob.S3Config{Bucket: "b"}, 10},
		{"no bucket", blob.S3Config{Endpoint: "127.0.0.1:1"}, 10},
		{"unreachable", blob.S3Config{Endpoint: "127.0.0.1:1", Bucket: "b", Insecure: true}, 10},
	}
	for _, tc := range tests {
		if _, err := blob.NewS3(context.Background(), tc.cfg, tc.max); err == nil {
			t.Errorf("%s: NewS3 = nil error, want one", tc.name)
		}
	}
}

// TestS3WrongKey: the store refuses requests signed with another secret,
// so the client is seen to sign with the one it is given.
func TestS3WrongKey(t *testing.T) {
	t.Parallel()
	endpoint := s3Server(t)
	tests := []struct{ access, secret string }{
		{"test-access", "not-the-secret"},
		{"someone-else", "test-secret"},
	}
	for _, tc := range tests {
		_, err := blob.NewS3(context.Background(), blob.S3Config{Endpoint: endpoint, Bucket: "b-wrong", AccessKey: tc.access, SecretKey: tc.secret,
			Insecure: true}, 100)
		if err == nil || !strings.Contains(err.Error(), "signature does not match") && !strings.Contains(err.Error(), "unknown credential") {
			t.Errorf("NewS3(%s/%s) = %v, want a signature refusal", tc.access, tc.secret, err)
		}
	}
}
