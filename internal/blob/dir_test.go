package blob_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

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
