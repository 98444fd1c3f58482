package service_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
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
