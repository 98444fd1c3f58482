// Package blob is gmc's file store: audio recordings, portraits, maps and
// handouts. Store is the interface; Dir keeps files in a local directory
// (the embedded default) and S3 in an S3-compatible object store. Package
// blobtest holds the conformance suite every backend passes.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Errors a Store returns, wrapped with the key they are about.
var (
	// ErrNotFound: no blob has the key.
	ErrNotFound = errors.New("blob not found")
	// ErrInvalidKey: the key is not one a Store accepts (see ValidKey).
	ErrInvalidKey = errors.New("invalid blob key")
	// ErrTooLarge: the content is longer than the store's maximum.
	ErrTooLarge = errors.New("blob too large")
	// ErrSizeMismatch: the content's length is not the size Put was told.
	ErrSizeMismatch = errors.New("blob size mismatch")
)

// Info describes a stored blob.
type Info struct {
	Key         string
	Size        int64
	ContentType string
	ModTime     time.Time
}

// Store keeps blobs by key. Every method takes a key ValidKey accepts and
// fails with ErrInvalidKey otherwise.
type Store interface {
	// Put stores r's content under key, replacing any blob there, and
	// returns its Info. size is the content's length, or -1 when unknown.
	// On any error (ErrTooLarge, ErrSizeMismatch, a failing r, the end of
	// ctx) nothing is stored and a blob already under key is untouched.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error)
	// Open returns the blob's content, which the caller closes, and its
	// Info. ErrNotFound. The content can be read from any offset (Seek),
	// which serves HTTP range requests without reading what comes before.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, Info, error)
	// Stat returns the blob's Info. ErrNotFound.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the blob; a key with no blob is not an error, so a
	// deletion can be retried.
	Delete(ctx context.Context, key string) error
	// PutContent stores r's content under its content address,
	// ContentKey of its SHA-256, which the returned Info's Key is. The
	// content is hashed while it is written, so the key is never one a
	// caller chose; content already stored is kept as it is (its content
	// type stays the first one's) and the new copy discarded, so each
	// content is stored once however many refer to it. size and the
	// errors are Put's; on any error nothing new is stored.
	PutContent(ctx context.Context, r io.Reader, size int64, contentType string) (Info, error)
	// Backend names the implementation for logs ("dir", "s3").
	Backend() string
}

// ContentPrefix starts every content address.
const ContentPrefix = "sha256/"

// ContentKey is where content whose SHA-256 is sum (64 lower-case hex
// digits) is kept: "sha256/ab/cdef…", two levels so that no directory
// of a local store holds more than a few thousand entries. It returns ""
// (which ValidKey refuses) for anything but such a sum.
func ContentKey(sum string) string {
	if len(sum) != 64 {
		return ""
	}
	for i := 0; i < len(sum); i++ {
		if c := sum[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return ""
		}
	}
	return ContentPrefix + sum[:2] + "/" + sum[2:]
}

// IsContentKey reports whether key is a content address.
func IsContentKey(key string) bool {
	return strings.HasPrefix(key, ContentPrefix) && ContentKey(strings.ReplaceAll(key[len(ContentPrefix):], "/", "")) == key
}

// MaxKeyLen bounds a key; S3 allows 1024 bytes, file systems less per path.
const MaxKeyLen = 512

// ValidKey reports whether key is one every Store accepts: segments of
// ASCII letters, digits, '.', '_' and '-' separated by single '/', each
// starting with a letter or digit (so no "..", no hidden or temporary
// names), and no leading '/' (so never an absolute path).
func ValidKey(key string) bool {
	if key == "" || len(key) > MaxKeyLen {
		return false
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || !isAlnum(seg[0]) {
			return false
		}
		for i := 1; i < len(seg); i++ {
			if c := seg[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func checkKey(key string) error {
	if !ValidKey(key) {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	return nil
}
