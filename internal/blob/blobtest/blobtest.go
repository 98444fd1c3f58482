// Package blobtest is the conformance suite every blob.Store passes: the
// local directory and S3.
package blobtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gmc-project/gmc/internal/blob"
)

// MaxSize is the limit the suite's stores are opened with.
const MaxSize = 1 << 16

// OpenFunc returns an empty store that refuses blobs over maxSize bytes
// and is cleaned up when t ends.
type OpenFunc func(t *testing.T, maxSize int64) blob.Store

// Run runs the suite; each subtest opens its own store and runs in parallel.
func Run(t *testing.T, open OpenFunc) {
	tests := []struct {
		name string
		run  func(t *testing.T, s blob.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"Replace", testReplace},
		{"Delete", testDelete},
		{"NotFound", testNotFound},
		{"InvalidKeys", testInvalidKeys},
		{"FailedPutsStoreNothing", testFailedPuts},
		{"Seek", testSeek},
		{"ContentAddressed", testContentAddressed},
		{"FailedContentPutsStoreNothing", testFailedContentPuts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t, MaxSize))
		})
	}
}

// MustPut stores content under key and fails t on error.
func MustPut(t testing.TB, s blob.Store, key, content, contentType string) blob.Info {
	t.Helper()
	info, err := s.Put(context.Background(), key, strings.NewReader(content), int64(len(content)), contentType)
	if err != nil {
		t.Fatalf("Put(%s) = %v", key, err)
	}
	return info
}

// read returns a blob's content and Info.
func read(t testing.TB, s blob.Store, key string) (string, blob.Info) {
	t.Helper()
	rc, info, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%s) = %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return string(b), info
}

func testRoundTrip(t *testing.T, s blob.Store) {
	ctx := context.Background()
	tests := []struct{ key, content, contentType string }{
		{"a", "", "application/octet-stream"},
		{"recordings/c1/s1/r1.flac", "fLaC and some audio", "audio/flac"},
		{"x/y/z-1_2.3", strings.Repeat("\x00\n\xff", 1000), "audio/wav; codecs=1"},
		{"limit", strings.Repeat("b", MaxSize), "audio/ogg"},
	}
	for _, tc := range tests {
		// size -1: a length the caller does not know is fine too.
		for _, size := range []int64{int64(len(tc.content)), -1} {
			info, err := s.Put(ctx, tc.key, strings.NewReader(tc.content), size, tc.contentType)
			if err != nil {
				t.Fatalf("Put(%s, size %d) = %v", tc.key, size, err)
			}
			if info.Key != tc.key || info.Size != int64(len(tc.content)) || info.ContentType != tc.contentType {
				t.Errorf("Put(%s) = %+v, want size %d, type %s", tc.key, info, len(tc.content), tc.contentType)
			}
			got, opened := read(t, s, tc.key)
			if got != tc.content || opened.Size != info.Size || opened.ContentType != tc.contentType {
				t.Errorf("Open(%s) = %d bytes, %+v; want the %d bytes put", tc.key, len(got), opened, len(tc.content))
			}
			st, err := s.Stat(ctx, tc.key)
			if err != nil || st.Size != info.Size || st.ContentType != tc.contentType {
				t.Errorf("Stat(%s) = %+v, %v; want %+v", tc.key, st, err, info)
			}
		}
	}
}

func testReplace(t *testing.T, s blob.Store) {
	MustPut(t, s, "k", "first, longer content", "text/plain")
	MustPut(t, s, "k", "second", "audio/flac")
	if got, info := read(t, s, "k"); got != "second" || info.ContentType != "audio/flac" || info.Size != 6 {
		t.Errorf("after replace: %q, %+v; want second, audio/flac, 6", got, info)
	}
}

func testDelete(t *testing.T, s blob.Store) {
	ctx := context.Background()
	MustPut(t, s, "d/1", "one", "text/plain")
	MustPut(t, s, "d/2", "two", "text/plain")
	for i := range 2 { // a second Delete of the same key is no error
		if err := s.Delete(ctx, "d/1"); err != nil {
			t.Fatalf("Delete #%d = %v", i+1, err)
		}
	}
	if _, err := s.Stat(ctx, "d/1"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat(deleted) = %v, want ErrNotFound", err)
	}
	if got, _ := read(t, s, "d/2"); got != "two" {
		t.Errorf("neighbour after Delete = %q, want two", got)
	}
	if err := s.Delete(ctx, "never/stored"); err != nil {
		t.Errorf("Delete(never stored) = %v, want nil", err)
	}
}

func testNotFound(t *testing.T, s blob.Store) {
	ctx := context.Background()
	MustPut(t, s, "file", "x", "text/plain")
	MustPut(t, s, "dir/file", "x", "text/plain")
	for _, key := range []string{"missing", "file/below", "dir"} {
		if _, _, err := s.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(%s) = %v, want ErrNotFound", key, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Stat(%s) = %v, want ErrNotFound", key, err)
		}
	}
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	ctx := context.Background()
	for _, key := range []string{"", "/abs", "a/../b", "..", ".", "a//b", "a/", ".hidden", "a/.tmp-1", "sp ace", "ü", `a\b`, "a/./b",
		strings.Repeat("k", blob.MaxKeyLen+1)} {
		if _, err := s.Put(ctx, key, strings.NewReader("x"), 1, "text/plain"); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, _, err := s.Open(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Open(%q) = %v, want ErrInvalidKey", key, err)
		}
		if _, err := s.Stat(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Stat(%q) = %v, want ErrInvalidKey", key, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
}

// testFailedPuts checks that a Put that fails leaves no blob, and leaves
// the one it would have replaced as it was.
func testFailedPuts(t *testing.T, s blob.Store) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	big := strings.Repeat("z", MaxSize+1)
	tests := []struct {
		name    string
		ctx     context.Context
		r       io.Reader
		size    int64
		ct      string
		wantErr error
	}{
		{"TooLargeAnnounced", context.Background(), strings.NewReader(big), int64(len(big)), "audio/flac", blob.ErrTooLarge},
		{"TooLargeUnannounced", context.Background(), strings.NewReader(big), -1, "audio/flac", blob.ErrTooLarge},
		{"TooLargeUnderstated", context.Background(), strings.NewReader(big), 10, "audio/flac", blob.ErrTooLarge},
		{"ShorterThanAnnounced", context.Background(), strings.NewReader("abc"), 4, "audio/flac", blob.ErrSizeMismatch},
		{"LongerThanAnnounced", context.Background(), strings.NewReader("abcde"), 4, "audio/flac", blob.ErrSizeMismatch},
		{"ReaderFails", context.Background(), io.MultiReader(strings.NewReader("part"), iotest.ErrReader(errBroken)), -1, "audio/flac", errBroken},
		{"Cancelled", cancelled, strings.NewReader("abc"), 3, "audio/flac", context.Canceled},
		{"BadContentType", context.Background(), strings.NewReader("abc"), 3, "audio/flac\nX: y", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			MustPut(t, s, "kept/"+tc.name, "old", "text/plain")
			for _, key := range []string{"new/" + tc.name, "kept/" + tc.name} {
				_, err := s.Put(tc.ctx, key, tc.r, tc.size, tc.ct)
				if err == nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("Put(%s) = %v, want %v", key, err, tc.wantErr)
				}
				if r, ok := tc.r.(*strings.Reader); ok {
					r.Seek(0, io.SeekStart)
				}
			}
			if _, err := s.Stat(ctx, "new/"+tc.name); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Stat after a failed Put = %v, want ErrNotFound", err)
			}
			if got, info := read(t, s, "kept/"+tc.name); got != "old" || info.ContentType != "text/plain" {
				t.Errorf("blob a failed Put would replace = %q (%s), want old (text/plain)", got, info.ContentType)
			}
		})
	}
}

var errBroken = errors.New("broken reader")

// testSeek reads ranges of a blob the way http.ServeContent does: seek to
// the end for the length, then to an offset, then read.
func testSeek(t *testing.T, s blob.Store) {
	content := strings.Repeat("0123456789", 500)
	MustPut(t, s, "seek/me", content, "application/pdf")
	rc, info, err := s.Open(context.Background(), "seek/me")
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	defer rc.Close()
	end, err := rc.Seek(0, io.SeekEnd)
	if err != nil || end != int64(len(content)) || info.Size != end {
		t.Fatalf("Seek(end) = %d, %v; want %d", end, err, len(content))
	}
	tests := []struct {
		offset int64
		whence int
		n      int
		want   string
	}{
		{0, io.SeekStart, 10, content[:10]},
		{4990, io.SeekStart, 10, content[4990:]},
		{1234, io.SeekStart, 7, content[1234:1241]},
		{-5, io.SeekEnd, 5, content[len(content)-5:]},
		{3, io.SeekStart, len(content) - 3, content[3:]},
	}
	for _, tc := range tests {
		if _, err := rc.Seek(tc.offset, tc.whence); err != nil {
			t.Fatalf("Seek(%d, %d) = %v", tc.offset, tc.whence, err)
		}
		buf := make([]byte, tc.n)
		if _, err := io.ReadFull(rc, buf); err != nil || string(buf) != tc.want {
			t.Errorf("read %d at Seek(%d, %d) = %.20q…, %v; want %.20q…", tc.n, tc.offset, tc.whence, buf, err, tc.want)
		}
	}
	// A read past the content ends it.
	if _, err := rc.Seek(0, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if n, err := rc.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("Read at the end = %d, %v; want 0, EOF", n, err)
	}
}

// ContentKeyOf is the content address of content.
func ContentKeyOf(content string) string {
	sum := sha256.Sum256([]byte(content))
	return blob.ContentKey(hex.EncodeToString(sum[:]))
}

// MustPutContent stores content by its address and fails t on error.
func MustPutContent(t testing.TB, s blob.Store, content, contentType string) blob.Info {
	t.Helper()
	info, err := s.PutContent(context.Background(), strings.NewReader(content), int64(len(content)), contentType)
	if err != nil {
		t.Fatalf("PutContent(%.20q) = %v", content, err)
	}
	return info
}

// testContentAddressed: content is stored once under its SHA-256, the
// second copy of it changes nothing, and a deleted content can be stored
// again.
func testContentAddressed(t *testing.T, s blob.Store) {
	ctx := context.Background()
	tests := []struct{ content, contentType string }{
		{"", "application/octet-stream"},
		{"fLaC and some audio", "audio/flac"},
		{strings.Repeat("\x00\n\xff", 1000), "image/png"},
		{strings.Repeat("b", MaxSize), "audio/ogg"},
	}
	for _, tc := range tests {
		want := ContentKeyOf(tc.content)
		if !blob.ValidKey(want) || !blob.IsContentKey(want) {
			t.Fatalf("content key %q is not a valid content key", want)
		}
		for _, size := range []int64{int64(len(tc.content)), -1} {
			// The second Put of the same content names another type:
			// the first is kept, as the blob is.
			ct := tc.contentType
			if size < 0 {
				ct = "text/plain"
			}
			info, err := s.PutContent(ctx, strings.NewReader(tc.content), size, ct)
			if err != nil {
				t.Fatalf("PutContent(%d bytes, size %d) = %v", len(tc.content), size, err)
			}
			if info.Key != want || info.Size != int64(len(tc.content)) || info.ContentType != tc.contentType {
				t.Errorf("PutContent(%d bytes, size %d) = %+v; want key %s, type %s", len(tc.content), size, info, want, tc.contentType)
			}
			if got, _ := read(t, s, want); got != tc.content {
				t.Errorf("Open(%s) = %d bytes, want the %d put", want, len(got), len(tc.content))
			}
		}
	}
	a, b := MustPutContent(t, s, "one content", "text/plain"), MustPutContent(t, s, "another content", "text/plain")
	if a.Key == b.Key {
		t.Fatalf("two contents share the key %s", a.Key)
	}
	if err := s.Delete(ctx, a.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, a.Key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat(deleted content) = %v, want ErrNotFound", err)
	}
	if got, _ := read(t, s, b.Key); got != "another content" {
		t.Errorf("the other content after a Delete = %q", got)
	}
	if again := MustPutContent(t, s, "one content", "text/plain"); again.Key != a.Key {
		t.Errorf("PutContent after Delete = %s, want %s", again.Key, a.Key)
	}
	if got, _ := read(t, s, a.Key); got != "one content" {
		t.Errorf("content stored again = %q", got)
	}
}

// testFailedContentPuts: a PutContent that fails stores nothing, and
// leaves the content already stored as it was.
func testFailedContentPuts(t *testing.T, s blob.Store) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	big := strings.Repeat("z", MaxSize+1)
	kept := MustPutContent(t, s, "abcd", "text/plain")
	tests := []struct {
		name    string
		ctx     context.Context
		content string
		r       io.Reader
		size    int64
		ct      string
		wantErr error
	}{
		{"TooLargeAnnounced", ctx, big, strings.NewReader(big), int64(len(big)), "audio/flac", blob.ErrTooLarge},
		{"TooLargeUnannounced", ctx, big, strings.NewReader(big), -1, "audio/flac", blob.ErrTooLarge},
		{"ShorterThanAnnounced", ctx, "abc", strings.NewReader("abc"), 4, "audio/flac", blob.ErrSizeMismatch},
		{"LongerThanAnnounced", ctx, "abcde", strings.NewReader("abcde"), 4, "audio/flac", blob.ErrSizeMismatch},
		{"ReaderFails", ctx, "part", io.MultiReader(strings.NewReader("part"), iotest.ErrReader(errBroken)), -1, "audio/flac", errBroken},
		{"Cancelled", cancelled, "abc", strings.NewReader("abc"), 3, "audio/flac", context.Canceled},
		{"BadContentType", ctx, "abc", strings.NewReader("abc"), 3, "audio/flac\nX: y", nil},
	}
	for _, tc := range tests {
		_, err := s.PutContent(tc.ctx, tc.r, tc.size, tc.ct)
		if err == nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: PutContent = %v, want %v", tc.name, err, tc.wantErr)
		}
		if _, err := s.Stat(ctx, ContentKeyOf(tc.content)); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%s: Stat after a failed PutContent = %v, want ErrNotFound", tc.name, err)
		}
	}
	if got, info := read(t, s, kept.Key); got != "abcd" || info.ContentType != "text/plain" {
		t.Errorf("stored content after failed puts = %q (%s)", got, info.ContentType)
	}
}
