package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says where an S3-compatible object store is and how to sign
// requests to it.
type S3Config struct {
	// Endpoint is host[:port], without a scheme.
	Endpoint string
	Bucket   string
	// AccessKey and SecretKey sign every request (AWS Signature V4).
	AccessKey string
	SecretKey string
	Region    string
	// Insecure speaks plain HTTP, for a store on a private network or
	// loopback.
	Insecure bool
	// Transport replaces the HTTP transport (tests); nil uses minio's.
	Transport http.RoundTripper
}

// S3 is a Store in a bucket of an S3-compatible object store. A PUT
// stores an object whole or not at all, so a failed Put leaves nothing
// and the object it would have replaced untouched.
type S3 struct {
	client  *minio.Client
	bucket  string
	maxSize int64
	// spoolDir holds a content of unknown length while it is measured,
	// since an S3 PUT needs its length up front.
	spoolDir string
}

var _ Store = (*S3)(nil)

// NewS3 returns a Store in cfg's bucket, creating the bucket when it does
// not exist. maxSize bounds each blob's content in bytes.
func NewS3(ctx context.Context, cfg S3Config, maxSize int64) (*S3, error) {
	if maxSize <= 0 {
		return nil, fmt.Errorf("blob: max size must be positive, not %d", maxSize)
	}
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, errors.New("blob: S3 needs an endpoint and a bucket")
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    !cfg.Insecure,
		Region:    cfg.Region,
		Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 endpoint %s: %w", cfg.Endpoint, err)
	}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: S3 bucket %s: %w", cfg.Bucket, err)
	}
	if !exists {
		if err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
			return nil, fmt.Errorf("blob: create S3 bucket %s: %w", cfg.Bucket, err)
		}
	}
	return &S3{client: client, bucket: cfg.Bucket, maxSize: maxSize, spoolDir: os.TempDir()}, nil
}

// Backend names this implementation.
func (s *S3) Backend() string { return "s3" }

// Put stores r's content under key.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	if err := checkContentType(contentType); err != nil {
		return Info{}, err
	}
	if size > s.maxSize {
		return Info{}, fmt.Errorf("%w: %s is %d bytes, more than %d", ErrTooLarge, key, size, s.maxSize)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	if size < 0 {
		spool, n, err := s.spool(ctx, key, r)
		if err != nil {
			return Info{}, err
		}
		defer func() {
			spool.Close()
			os.Remove(spool.Name())
		}()
		r, size = spool, n
	}
	er := &exactReader{r: ctxReader{ctx, r}, left: size, size: size, max: s.maxSize, key: key}
	opts := minio.PutObjectOptions{ContentType: contentType}
	if size == 0 {
		// minio signs an empty body as an aws-chunked stream sent without
		// a Content-Length, which S3 refuses; there is no payload to sign.
		if _, err := er.Read(make([]byte, 1)); err != io.EOF {
			return Info{}, fmt.Errorf("blob: put %s: %w", key, er.err)
		}
		opts.DisableContentSha256 = true
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, er, size, opts)
	// The reader's own failure says more than how minio reports it.
	if er.err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, er.err)
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return Info{}, fmt.Errorf("blob: put %s: %w", key, cerr)
		}
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	return s.Stat(ctx, key)
}

// PutContent stores r's content under its content address. The key is
// known only once the content is read, and a PUT needs it first, so the
// content is spooled to a temporary file while it is hashed; an object
// already at the address is kept and the copy dropped.
func (s *S3) PutContent(ctx context.Context, r io.Reader, size int64, contentType string) (Info, error) {
	const what = "content"
	if err := checkContentType(contentType); err != nil {
		return Info{}, err
	}
	if size > s.maxSize {
		return Info{}, fmt.Errorf("%w: %s is %d bytes, more than %d", ErrTooLarge, what, size, s.maxSize)
	}
	h := sha256.New()
	spool, n, err := s.spool(ctx, what, io.TeeReader(r, h))
	if err != nil {
		return Info{}, err
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	if size >= 0 && n != size {
		return Info{}, fmt.Errorf("%w: %s has %d bytes, not the %d announced", ErrSizeMismatch, what, n, size)
	}
	key := ContentKey(hex.EncodeToString(h.Sum(nil)))
	info, err := s.Stat(ctx, key)
	if !errors.Is(err, ErrNotFound) {
		return info, err
	}
	return s.Put(ctx, key, spool, n, contentType)
}

// spool copies a content of unknown length to a temporary file, at most
// maxSize bytes of it, and returns the file rewound with its length.
func (s *S3) spool(ctx context.Context, key string, r io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp(s.spoolDir, "gmc-s3-*")
	if err != nil {
		return nil, 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	fail := func(err error) (*os.File, int64, error) {
		f.Close()
		os.Remove(f.Name())
		return nil, 0, err
	}
	n, err := io.Copy(f, io.LimitReader(ctxReader{ctx, r}, s.maxSize+1))
	if err != nil {
		return fail(fmt.Errorf("blob: put %s: %w", key, err))
	}
	if n > s.maxSize {
		return fail(fmt.Errorf("%w: %s is more than %d bytes", ErrTooLarge, key, s.maxSize))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fail(fmt.Errorf("blob: put %s: %w", key, err))
	}
	return f, n, nil
}

// exactReader yields exactly the announced number of bytes and fails,
// so that the upload fails with it, when r has fewer or more.
type exactReader struct {
	r         io.Reader
	left      int64
	size, max int64
	key       string
	err       error
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.left == 0 {
		// One byte more than announced is a mismatch too.
		var one [1]byte
		n, err := io.ReadFull(e.r, one[:])
		switch {
		case n > 0:
			// Longer than announced, and perhaps longer than allowed,
			// which says more.
			more, _ := io.Copy(io.Discard, io.LimitReader(e.r, e.max-e.size))
			if e.size+1+more > e.max {
				e.err = fmt.Errorf("%w: %s is more than %d bytes", ErrTooLarge, e.key, e.max)
			} else {
				e.err = fmt.Errorf("%w: %s is longer than announced", ErrSizeMismatch, e.key)
			}
		case err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
			e.err = err
		default:
			return 0, io.EOF
		}
		return 0, e.err
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	switch {
	case errors.Is(err, io.EOF) && e.left > 0:
		e.err = fmt.Errorf("%w: %s is shorter than announced", ErrSizeMismatch, e.key)
		return n, e.err
	case err != nil && !errors.Is(err, io.EOF):
		e.err = err
		return n, err
	}
	return n, nil
}

// Open returns the blob's content and Info; the content is fetched with
// ranged GETs from wherever it is read.
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, Info, error) {
	info, err := s.Stat(ctx, key)
	if err != nil {
		return nil, Info{}, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, s.fail("open", key, err)
	}
	return obj, info, nil
}

// Stat returns the blob's Info.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := checkKey(key); err != nil {
		return Info{}, err
	}
	st, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.fail("stat", key, err)
	}
	return Info{Key: key, Size: st.Size, ContentType: st.ContentType, ModTime: st.LastModified.UTC()}, nil
}

// Delete removes the blob; a missing one is not an error.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if isNoSuchKey(err) {
			return nil
		}
		return s.fail("delete", key, err)
	}
	return nil
}

func (s *S3) fail(op, key string, err error) error {
	if isNoSuchKey(err) {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return fmt.Errorf("blob: %s %s: %w", op, key, err)
}

func isNoSuchKey(err error) bool {
	r := minio.ToErrorResponse(err)
	return r.Code == minio.NoSuchKey || r.StatusCode == http.StatusNotFound && r.Code != minio.NoSuchBucket
}
