package service_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// failingFiles is a store whose file rows cannot be written, as when the
// database fails between the blob's write and the row's.
type failingFiles struct {
	store.Store
}

var errRowFailed = errors.New("row write failed")

func (failingFiles) CreateFile(context.Context, *gmc.File, int64, *gmc.Event) error {
	return errRowFailed
}

func (f failingFiles) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	return f.Store.InTx(ctx, func(tx store.Store) error { return fn(failingFiles{tx}) })
}

const pngHead = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"

func newFileService(t *testing.T, st store.Store) (*service.Service, *blob.Dir, string) {
	t.Helper()
	root := t.TempDir()
	blobs, err := blob.NewDir(root, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), Blobs: blobs,
		PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return svc, blobs, root
}

// TestFileRowFailureLeavesNoBlob: the blob is written first; when its row
// then fails, the blob is deleted again.
func TestFileRowFailureLeavesNoBlob(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			svc, _, root := newFileService(t, failingFiles{tb.st})
			content := pngHead + "content"
			_, err := svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, service.FileParams{Name: "a.png", Kind: gmc.FileHandout},
				strings.NewReader(content), int64(len(content)))
			if !errors.Is(err, errRowFailed) {
				t.Fatalf("UploadFile = %v, want the row's failure", err)
			}
			err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					t.Errorf("blob left behind: %s", p)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestFileBlobsGoWithTheirEntity: a portrait goes with its character, and
// the purge deletes its blob from the orphans the deletion recorded.
func TestFileBlobsGoWithTheirEntity(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			svc, blobs, _ := newFileService(t, tb.st)
			content := pngHead + "face"
			f, err := svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, service.FileParams{Name: "face.png", Kind: gmc.FilePortrait, CharacterID: tb.npc.ID},
				strings.NewReader(content), int64(len(content)))
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.DeleteCharacter(ctx, tb.gm.ID, tb.npc.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.File(ctx, tb.gm.ID, f.ID); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("File after its character's deletion = %v, want not found", err)
			}
			if _, err := svc.PurgeExpiredRecordings(ctx, time.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := blobs.Stat(ctx, f.BlobKey); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("blob after the purge: %v, want ErrNotFound", err)
			}
		})
	}
}

// hookedBlobs is a file store that runs afterPut after each PutContent
// and beforeStat before each Stat, to stop an upload at the steps where
// the purge may come between.
type hookedBlobs struct {
	blob.Store
	puts       atomic.Int64
	afterPut   func()
	beforeStat func()
}

func (h *hookedBlobs) PutContent(ctx context.Context, r io.Reader, size int64, contentType string) (blob.Info, error) {
	info, err := h.Store.PutContent(ctx, r, size, contentType)
	h.puts.Add(1)
	if h.afterPut != nil {
		h.afterPut()
	}
	return info, err
}

func (h *hookedBlobs) Stat(ctx context.Context, key string) (blob.Info, error) {
	if h.beforeStat != nil {
		h.beforeStat()
	}
	return h.Store.Stat(ctx, key)
}

// readFile reads a file's content as user.
func readFile(t *testing.T, svc *service.Service, userID, fileID string) (string, error) {
	t.Helper()
	_, rc, err := svc.OpenFile(context.Background(), userID, fileID)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
}

// TestFileContentShared: a content uploaded to two campaigns is stored
// once, each row is read only by members of its own campaign, and the
// content stays until the last row referring to it goes.
func TestFileContentShared(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			svc, blobs, root := newFileService(t, tb.st)
			other := ok(svc.Register(ctx, service.RegisterParams{Email: "other@example.com", Password: "correct horse battery", DisplayName: "Other GM"}))(t)
			theirs := ok(svc.CreateCampaign(ctx, other.ID, service.CampaignParams{Name: "Elsewhere"}))(t)
			content := pngHead + "the same map"
			upload := func(userID, campaignID string) *gmc.File {
				return ok(svc.UploadFile(ctx, userID, campaignID, service.FileParams{Name: "map.png", Kind: gmc.FileHandout},
					strings.NewReader(content), int64(len(content))))(t)
			}
			mine, second, theirFile := upload(tb.gm.ID, tb.campaign.ID), upload(tb.gm.ID, tb.campaign.ID), upload(other.ID, theirs.ID)
			if mine.BlobKey != theirFile.BlobKey || mine.BlobKey != second.BlobKey || !blob.IsContentKey(mine.BlobKey) {
				t.Fatalf("blob keys %s, %s, %s; want one content key", mine.BlobKey, second.BlobKey, theirFile.BlobKey)
			}
			if n := countFiles(t, root); n != 1 {
				t.Errorf("%d files stored for one content, want 1", n)
			}
			// Membership decides, not the content: each reads its own
			// campaign's row and not the other's.
			access := []struct {
				user, file string
				want       bool
			}{
				{tb.gm.ID, mine.ID, true}, {other.ID, theirFile.ID, true}, {tb.player.ID, mine.ID, true},
				{other.ID, mine.ID, false}, {tb.gm.ID, theirFile.ID, false}, {tb.player.ID, theirFile.ID, false},
			}
			for _, a := range access {
				got, err := readFile(t, svc, a.user, a.file)
				if a.want && (err != nil || got != content) || !a.want && !errors.Is(err, gmc.ErrNotFound) {
					t.Errorf("read %s as %s = %q, %v; want readable %v", a.file, a.user, got, err, a.want)
				}
			}
			if err := svc.DeleteFile(ctx, other.ID, mine.ID); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("DeleteFile of another campaign's row = %v, want not found", err)
			}
			// Deleting references one by one keeps the content for the
			// others, through the purge too.
			for i, f := range []*gmc.File{mine, theirFile} {
				user := tb.gm.ID
				if f == theirFile {
					user = other.ID
				}
				if err := svc.DeleteFile(ctx, user, f.ID); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.PurgeExpiredRecordings(ctx, time.Now()); err != nil {
					t.Fatal(err)
				}
				if got, err := readFile(t, svc, tb.gm.ID, second.ID); err != nil || got != content {
					t.Fatalf("after deleting %d of 3 rows, the last = %q, %v; want the content", i+1, got, err)
				}
			}
			if err := svc.DeleteFile(ctx, tb.gm.ID, second.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := blobs.Stat(ctx, mine.BlobKey); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("content after its last row went: %v, want ErrNotFound", err)
			}
			if keys, _ := tb.st.OrphanedBlobs(ctx, 10); len(keys) != 0 {
				t.Errorf("orphaned blobs left = %v", keys)
			}
		})
	}
}

func countFiles(t *testing.T, root string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFileUploadRacesThePurge: an upload of a content whose last other
// row is deleted, and its blob purged, while the upload is under way
// never ends with a row whose content is gone. The deletion comes
// between the upload's write of the content and its row's transaction
// (the content is written again), or during that transaction (the purge
// waits for it and then sees the new row).
func TestFileUploadRacesThePurge(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		for _, during := range []bool{false, true} {
			name := be.name + "/BetweenWriteAndRow"
			if during {
				name = be.name + "/DuringRowTransaction"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				tb := newTable(t, be.open(t))
				dir, err := blob.NewDir(t.TempDir(), 1<<20)
				if err != nil {
					t.Fatal(err)
				}
				blobs := &hookedBlobs{Store: dir}
				svc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Blobs: blobs,
					PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
				if err != nil {
					t.Fatal(err)
				}
				content := pngHead + "contested"
				params := service.FileParams{Name: "a.png", Kind: gmc.FileHandout}
				first := ok(svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, params, strings.NewReader(content), int64(len(content))))(t)
				blobs.puts.Store(0)
				var deletion sync.WaitGroup
				var once sync.Once
				deleteFirst := func() {
					// DeleteFile deletes the content at once when no
					// other row refers to it, as the purge does.
					if err := svc.DeleteFile(ctx, tb.gm.ID, first.ID); err != nil {
						t.Errorf("DeleteFile = %v", err)
					}
				}
				if during {
					blobs.beforeStat = func() {
						once.Do(func() {
							deletion.Go(deleteFirst)
							// Long enough for the deletion to reach
							// the lock the row's transaction holds.
							time.Sleep(200 * time.Millisecond)
						})
					}
				} else {
					blobs.afterPut = func() { once.Do(deleteFirst) }
				}
				second := ok(svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, params, strings.NewReader(content), int64(len(content))))(t)
				deletion.Wait()
				blobs.afterPut, blobs.beforeStat = nil, nil
				if _, err := svc.File(ctx, tb.gm.ID, first.ID); !errors.Is(err, gmc.ErrNotFound) {
					t.Fatalf("first file after its deletion = %v", err)
				}
				if _, err := svc.PurgeExpiredRecordings(ctx, time.Now()); err != nil {
					t.Fatal(err)
				}
				if got, err := readFile(t, svc, tb.gm.ID, second.ID); err != nil || got != content {
					t.Errorf("second file = %q, %v; want its content", got, err)
				}
				// Between write and row, the content was purged and
				// written again; during the row's transaction, once.
				wantPuts := int64(2)
				if during {
					wantPuts = 1
				}
				if got := blobs.puts.Load(); got != wantPuts {
					t.Errorf("content written %d times, want %d", got, wantPuts)
				}
			})
		}
	}
}

// TestFileUploadsAndDeletionsConcurrently: uploads of one content and
// deletions of its rows, with purges, at once; every row left reads its
// content.
func TestFileUploadsAndDeletionsConcurrently(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			svc, _, _ := newFileService(t, tb.st)
			content := pngHead + "popular"
			params := service.FileParams{Name: "a.png", Kind: gmc.FileHandout}
			var wg sync.WaitGroup
			var mu sync.Mutex
			var kept []string
			for i := range 12 {
				wg.Go(func() {
					f, err := svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, params, strings.NewReader(content), int64(len(content)))
					if err != nil {
						t.Errorf("UploadFile = %v", err)
						return
					}
					if i%2 == 0 {
						if err := svc.DeleteFile(ctx, tb.gm.ID, f.ID); err != nil {
							t.Errorf("DeleteFile = %v", err)
						}
						if _, err := svc.PurgeExpiredRecordings(ctx, time.Now()); err != nil {
							t.Errorf("purge = %v", err)
						}
						return
					}
					mu.Lock()
					kept = append(kept, f.ID)
					mu.Unlock()
				})
			}
			wg.Wait()
			for _, id := range kept {
				if got, err := readFile(t, svc, tb.gm.ID, id); err != nil || got != content {
					t.Errorf("file %s = %q, %v; want its content", id, got, err)
				}
			}
		})
	}
}
