package blob

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// header starts every file Dir writes; the content type follows on the
// same line. Keeping it in the file rather than beside it makes a blob
// and its type one rename, so they are never out of step.
const header = "gmcblob1 "

// MaxContentTypeLen bounds a content type (RFC 6838 allows 127 + 1 + 127).
const MaxContentTypeLen = 255

// Dir is a Store in a local directory: a blob is one file at its key's
// path below the root. Writes go to a temporary file beside the target
// that is synced and then renamed over it, so a reader or a crash sees
// the old blob or the new one, never a part. PutContent keeps content
// under its SHA-256 (see ContentKey), once however often it is put.
// Temporary files start with '.', which no key does: a crash may leave
// one, which is never served and is removed later (RemoveStaleTemps).
type Dir struct {
	root    string
	maxSize int64
}

var _ Store = (*Dir)(nil)

// NewDir returns a Store keeping files below root, creating it if needed.
// maxSize bounds each blob's content in bytes.
func NewDir(root string, maxSize int64) (*Dir, error) {
	if maxSize <= 0 {
		return nil, fmt.Errorf("blob: max size must be positive, not %d", maxSize)
	}
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", root, err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	d := &Dir{root: abs, maxSize: maxSize}
	if _, err := d.RemoveStaleTemps(StaleTempAge); err != nil {
		return nil, err
	}
	return d, nil
}

// Backend names this implementation.
func (d *Dir) Backend() string { return "dir" }

func (d *Dir) path(key string) string { return filepath.Join(d.root, filepath.FromSlash(key)) }

// Put stores r's content under key.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	if err := d.checkPut(key, size, contentType); err != nil {
		return Info{}, err
	}
	target := d.path(key)
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	tmp, _, err := d.writeTemp(ctx, dir, key, r, size, contentType, nil)
	if err != nil {
		return Info{}, err
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	// The rename is durable only once the directory entry is.
	if err := syncDir(dir); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	return d.Stat(ctx, key)
}

// PutContent stores r's content under its content address. It is
// written to a temporary file in the root while it is hashed, synced,
// and renamed into place; when the address already holds a blob, which
// can only be the same content, the temporary file is removed instead.
func (d *Dir) PutContent(ctx context.Context, r io.Reader, size int64, contentType string) (Info, error) {
	const what = "content"
	if err := d.checkPut(what, size, contentType); err != nil {
		return Info{}, err
	}
	h := sha256.New()
	tmp, _, err := d.writeTemp(ctx, d.root, what, r, size, contentType, h)
	if err != nil {
		return Info{}, err
	}
	defer os.Remove(tmp) // after a rename, a no-op
	key := ContentKey(hex.EncodeToString(h.Sum(nil)))
	target := d.path(key)
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if _, err := os.Lstat(target); err == nil {
		// Stored already. Two writers of one content can both get past
		// this check; the second rename then replaces the same bytes,
		// which readers cannot tell from the first.
		return d.Stat(ctx, key)
	}
	if err := os.Rename(tmp, target); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := syncDir(dir); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	return d.Stat(ctx, key)
}

func (d *Dir) checkPut(key string, size int64, contentType string) error {
	if err := checkContentType(contentType); err != nil {
		return err
	}
	if size > d.maxSize {
		return fmt.Errorf("%w: %s is %d bytes, more than %d", ErrTooLarge, key, size, d.maxSize)
	}
	return nil
}

// tempPrefix starts the name of a file being written. It starts with
// '.', which no segment of a valid key does, so such a file can never be
// read or overwritten as a blob, even when a crash leaves it behind.
const tempPrefix = ".tmp-"

// writeTemp writes the header and r's content to a new temporary file in
// dir, also to h when it is not nil, checks its length and syncs it. It
// returns the file's path, which the caller renames or removes, and the
// content's length; on error no file is left.
func (d *Dir) writeTemp(ctx context.Context, dir, key string, r io.Reader, size int64, contentType string, h io.Writer) (string, int64, error) {
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var w io.Writer = tmp
	if h != nil {
		w = io.MultiWriter(tmp, h)
	}
	if _, err := io.WriteString(tmp, header+contentType+"\n"); err != nil {
		return "", 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	// At most maxSize+1 bytes: one more than allowed tells "too large"
	// from "exactly the limit".
	n, err := io.Copy(w, io.LimitReader(ctxReader{ctx, r}, d.maxSize+1))
	if err != nil {
		return "", 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	switch {
	case n > d.maxSize:
		return "", 0, fmt.Errorf("%w: %s is more than %d bytes", ErrTooLarge, key, d.maxSize)
	case size >= 0 && n != size:
		return "", 0, fmt.Errorf("%w: %s has %d bytes, not the %d announced", ErrSizeMismatch, key, n, size)
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	done = true
	return tmp.Name(), n, nil
}

// StaleTempAge is how old a temporary file must be for RemoveStaleTemps
// to take it for one a crash left: no write of a blob takes that long,
// and a younger one may be another writer's, still open.
const StaleTempAge = time.Hour

// RemoveStaleTemps removes the temporary files below the root that were
// last written before olderThan ago, which a crash or a kill in the
// middle of a write left, and returns how many it removed. NewDir calls
// it with StaleTempAge; the purge calls it now and then.
func (d *Dir) RemoveStaleTemps(olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	n := 0
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile
			}
			return err
		}
		if e.IsDir() || !strings.HasPrefix(e.Name(), tempPrefix) {
			return nil
		}
		st, err := e.Info()
		if err != nil || !st.ModTime().Before(cutoff) {
			return nil
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("blob: remove temporary files: %w", err)
	}
	return n, nil
}

// Open returns the blob's content and Info.
func (d *Dir) Open(ctx context.Context, key string) (io.ReadSeekCloser, Info, error) {
	if err := checkKey(key); err != nil {
		return nil, Info{}, err
	}
	f, err := os.Open(d.path(key))
	if err != nil {
		return nil, Info{}, notFound(key, err)
	}
	info, headerLen, err := readInfo(key, f)
	if err != nil {
		f.Close()
		return nil, Info{}, err
	}
	return struct {
		io.ReadSeeker
		io.Closer
	}{io.NewSectionReader(f, headerLen, info.Size), f}, info, nil
}

// Stat returns the blob's Info.
func (d *Dir) Stat(ctx context.Context, key string) (Info, error) {
	rc, info, err := d.Open(ctx, key)
	if err != nil {
		return Info{}, err
	}
	rc.Close()
	return info, nil
}

// Delete removes the blob; a missing one is not an error.
func (d *Dir) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := os.Remove(d.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// readInfo reads the header and describes the file; it also returns
// the header's length, where the content starts.
func readInfo(key string, f *os.File) (Info, int64, error) {
	st, err := f.Stat()
	if err != nil {
		return Info{}, 0, fmt.Errorf("blob: stat %s: %w", key, err)
	}
	if st.IsDir() {
		// A key that is a prefix of others ("a" beside "a/b") names a
		// directory here, which holds no blob.
		return Info{}, 0, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	// The header is one line no longer than the type's bound.
	const maxHeader = len(header) + MaxContentTypeLen + 1
	br := bufio.NewReaderSize(io.NewSectionReader(f, 0, int64(maxHeader)), maxHeader)
	line, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, header) {
		return Info{}, 0, fmt.Errorf("blob: %s is not a file this store wrote", key)
	}
	n := int64(len(line))
	return Info{Key: key, Size: st.Size() - n, ContentType: strings.TrimSuffix(line[len(header):], "\n"),
		ModTime: st.ModTime().UTC()}, n, nil
}

func notFound(key string, err error) error {
	// ENOTDIR: a segment of the key is a blob ("a" when asked for "a/b").
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return fmt.Errorf("blob: open %s: %w", key, err)
}

// checkContentType accepts printable ASCII only, so that the header stays
// one line and the type can go into a Content-Type header as it is.
func checkContentType(ct string) error {
	if ct == "" || len(ct) > MaxContentTypeLen {
		return fmt.Errorf("blob: content type must be 1 to %d characters", MaxContentTypeLen)
	}
	for i := 0; i < len(ct); i++ {
		if ct[i] < 0x20 || ct[i] > 0x7e {
			return fmt.Errorf("blob: content type %q has a character other than printable ASCII", ct)
		}
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
