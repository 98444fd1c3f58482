package blob_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/blob/blobtest"
)

func TestDir(t *testing.T) {
	t.Parallel()
	blobtest.Run(t, func(t *testing.T, maxSize int64) blob.Store {
		d, err := blob.NewDir(t.TempDir(), maxSize)
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}

// TestDirLeavesNoTemporaryFiles checks what the suite cannot see through
// the interface: a failed Put removes its temporary file.
func TestDirLeavesNoTemporaryFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	d, err := blob.NewDir(root, 8)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	blobtest.MustPut(t, d, "a/ok", "fine", "text/plain")
	for _, content := range []string{"much too long", "short"} {
		if _, err := d.Put(ctx, "a/bad", strings.NewReader(content), 7, "text/plain"); err == nil {
			t.Fatalf("Put(%q, size 7) = nil, want an error", content)
		}
	}
	var files []string
	err = filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			files = append(files, filepath.Base(path))
		}
		return err
	})
	if err != nil || len(files) != 1 || files[0] != "ok" {
		t.Errorf("files after failed puts = %v, %v; want [ok]", files, err)
	}
	// Content-addressed: a failed put, and the second copy of a content,
	// leave only the one blob.
	info := blobtest.MustPutContent(t, d, "content", "text/plain")
	blobtest.MustPutContent(t, d, "content", "text/plain")
	if _, err := d.PutContent(ctx, strings.NewReader("much too long"), -1, "text/plain"); err == nil {
		t.Fatal("PutContent(too long) = nil, want an error")
	}
	files = nil
	err = filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(root, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil || len(files) != 2 || files[0] != "a/ok" || files[1] != info.Key {
		t.Errorf("files after content puts = %v, %v; want [a/ok %s]", files, err, info.Key)
	}
}

// TestDirStaleTemps: a temporary file a crash left in the middle of a
// write is never served, whatever it holds, and is removed once it is
// old enough to be no writer's.
func TestDirStaleTemps(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	d, err := blob.NewDir(root, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	info := blobtest.MustPutContent(t, d, "whole", "text/plain")
	// Leftovers as a crash leaves them: complete-looking content beside
	// the blobs, one old and one being written now.
	old := time.Now().Add(-2 * blob.StaleTempAge)
	leftovers := []struct {
		path  string
		stale bool
	}{
		{".tmp-123", true},
		{"sha256/.tmp-456", true},
		{filepath.Dir(info.Key) + "/.tmp-789", true},
		{".tmp-fresh", false},
	}
	for _, l := range leftovers {
		p := filepath.Join(root, filepath.FromSlash(l.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("gmcblob1 text/plain\nhalf"), 0o640); err != nil {
			t.Fatal(err)
		}
		if l.stale {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := d.Open(ctx, l.path); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Open(%s) = %v, want ErrInvalidKey", l.path, err)
		}
	}
	// A restart removes the stale ones and leaves a fresh one, which may
	// be another writer's.
	d, err = blob.NewDir(root, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leftovers {
		_, err := os.Stat(filepath.Join(root, filepath.FromSlash(l.path)))
		if gone := errors.Is(err, fs.ErrNotExist); gone != l.stale {
			t.Errorf("%s after NewDir: stat = %v; want removed: %v", l.path, err, l.stale)
		}
	}
	if n, err := d.RemoveStaleTemps(0); n != 1 || err != nil {
		t.Errorf("RemoveStaleTemps(0) = %d, %v; want 1 (the fresh one)", n, err)
	}
	if got, err := os.ReadDir(root); err != nil || len(got) != 1 || got[0].Name() != "sha256" {
		t.Errorf("root after the cleanup = %v, %v; want only sha256", got, err)
	}
	if _, err := d.Stat(ctx, info.Key); err != nil {
		t.Errorf("blob after the cleanup: %v", err)
	}
}

func TestContentKey(t *testing.T) {
	t.Parallel()
	sum := strings.Repeat("0123456789abcdef", 4)
	tests := []struct{ sum, want string }{
		{sum, "sha256/01/" + sum[2:]},
		{strings.ToUpper(sum), ""},
		{sum[:63], ""},
		{sum + "0", ""},
		{"../" + sum[3:], ""},
		{sum[:62] + "/x", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := blob.ContentKey(tc.sum); got != tc.want {
			t.Errorf("ContentKey(%q) = %q, want %q", tc.sum, got, tc.want)
		}
		if tc.want != "" && (!blob.ValidKey(tc.want) || !blob.IsContentKey(tc.want)) {
			t.Errorf("%q: not a valid content key", tc.want)
		}
	}
	for _, key := range []string{"files/c/f", "sha256/01/" + sum[2:] + "/x", "sha256/012/" + sum[3:], "sha256/" + sum} {
		if blob.IsContentKey(key) {
			t.Errorf("IsContentKey(%q) = true", key)
		}
	}
}

func TestNewDirRefusesNoLimit(t *testing.T) {
	t.Parallel()
	if _, err := blob.NewDir(t.TempDir(), 0); err == nil {
		t.Error("NewDir(max 0) = nil error, want one")
	}
}

// FuzzValidKey checks that a key ValidKey accepts stays below the root
// whatever it holds.
func FuzzValidKey(f *testing.F) {
	for _, k := range []string{"a", "a/b", "..", "a/../b", "/a", "a//b", "a/.b", "a\\..\\b", "a/b.", "x/y/z.flac", "\x00"} {
		f.Add(k)
	}
	root := filepath.FromSlash("/srv/files")
	f.Fuzz(func(t *testing.T, key string) {
		if !blob.ValidKey(key) {
			return
		}
		p := filepath.Join(root, filepath.FromSlash(key))
		rel, err := filepath.Rel(root, p)
		if err != nil || rel != filepath.FromSlash(key) || strings.HasPrefix(rel, "..") || filepath.IsAbs(key) {
			t.Errorf("ValidKey(%q) = true, but it resolves to %s (rel %q, %v)", key, p, rel, err)
		}
		for _, seg := range strings.Split(key, "/") {
			if seg == "" || seg[0] == '.' {
				t.Errorf("ValidKey(%q) = true with segment %q", key, seg)
			}
		}
	})
}
