package blob

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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
// the old blob or the new one, never a part.
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
	return &Dir{root: abs, maxSize: maxSize}, nil
}

// Backend names this implementation.
func (d *Dir) Backend() string { return "dir" }

func (d *Dir) path(key string) string { return filepath.Join(d.root, filepath.FromSlash(key)) }

// Put stores r's content under key.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	if err := checkContentType(contentType); err != nil {
		return Info{}, err
	}
	if size > d.maxSize {
		return Info{}, fmt.Errorf("%w: %s is %d bytes, more than %d", ErrTooLarge, key, size, d.maxSize)
	}
	target := d.path(key)
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	// The temporary name starts with '.', which no valid key does, so it
	// can never be read or overwritten as a blob.
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, err := d.write(ctx, tmp, r, contentType)
	if err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	switch {
	case n > d.maxSize:
		return Info{}, fmt.Errorf("%w: %s is more than %d bytes", ErrTooLarge, key, d.maxSize)
	case size >= 0 && n != size:
		return Info{}, fmt.Errorf("%w: %s has %d bytes, not the %d announced", ErrSizeMismatch, key, n, size)
	}
	if err := tmp.Sync(); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	done = true
	// The rename is durable only once the directory entry is.
	if err := syncDir(dir); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	return d.Stat(ctx, key)
}

// write writes the header and at most maxSize+1 bytes of r (one more
// than allowed tells "too large" from "exactly the limit") and returns
// how many content bytes it copied.
func (d *Dir) write(ctx context.Context, f *os.File, r io.Reader, contentType string) (int64, error) {
	if _, err := io.WriteString(f, header+contentType+"\n"); err != nil {
		return 0, err
	}
	return io.Copy(f, io.LimitReader(ctxReader{ctx, r}, d.maxSize+1))
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
