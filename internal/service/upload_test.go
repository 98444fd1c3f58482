package service_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/clamd"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/testenv"
)

// flakyUpload is an upload's content that breaks at one step of its
// reading: the Seek numbered failSeek fails, Reads after Seek number
// failReadAfter fail, and after Seek number swapAt it reads other bytes
// of the same length (a client's file changing while it is read).
type flakyUpload struct {
	r                       *strings.Reader
	other                   string
	seeks                   int
	failSeek, failReadAfter int
	swapAt                  int
}

var errFlaky = errors.New("the upload broke")

func (f *flakyUpload) Seek(off int64, whence int) (int64, error) {
	f.seeks++
	if f.seeks == f.failSeek {
		return 0, errFlaky
	}
	if f.seeks == f.swapAt {
		f.r = strings.NewReader(f.other)
	}
	return f.r.Seek(off, whence)
}

func (f *flakyUpload) Read(p []byte) (int, error) {
	if f.failReadAfter > 0 && f.seeks == f.failReadAfter {
		return 0, errFlaky
	}
	return f.r.Read(p)
}

// cleanScanner finds nothing in anything.
type cleanScanner struct{}

func (cleanScanner) Scan(_ context.Context, r io.Reader) (clamd.Verdict, error) {
	_, err := io.Copy(io.Discard, r)
	return clamd.Verdict{}, err
}

// TestUploadBreaksWhileRead: an upload whose content fails to be read,
// or changes while it is read, at each step of the upload is refused,
// and leaves no row, no stored content and no orphan record.
func TestUploadBreaksWhileRead(t *testing.T) {
	t.Parallel()
	content := pngHead + "the map of Barovia"
	other := pngHead + "the map of Vallaki"
	tests := []struct {
		name    string
		upload  flakyUpload
		scanner service.VirusScanner
	}{
		{"SeekToSniff", flakyUpload{failSeek: 1}, nil},
		{"ReadToSniff", flakyUpload{failReadAfter: 1}, nil},
		{"SeekToHash", flakyUpload{failSeek: 2}, nil},
		{"ReadToHash", flakyUpload{failReadAfter: 2}, nil},
		{"SeekToScan", flakyUpload{failSeek: 3}, cleanScanner{}},
		{"SeekToStore", flakyUpload{failSeek: 3}, nil},
		{"ChangedBeforeStore", flakyUpload{swapAt: 3}, nil},
	}
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			for _, tc := range tests {
				root := t.TempDir()
				svc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Blobs: mustDir(t, root), Scanner: tc.scanner,
					PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
				if err != nil {
					t.Fatal(err)
				}
				up := tc.upload
				up.r, up.other = strings.NewReader(content), other
				if _, err := svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, service.FileParams{Name: "map.png", Kind: gmc.FileMap}, &up, int64(len(content))); err == nil {
					t.Errorf("%s: upload succeeded", tc.name)
				}
				if n := countFiles(t, root); n != 0 {
					t.Errorf("%s: %d files left in the file store", tc.name, n)
				}
			}
			if files := ok(tb.svc.Files(ctx, tb.gm.ID, service.FileQuery{CampaignID: tb.campaign.ID}))(t); len(files) != 0 {
				t.Errorf("%d file rows after broken uploads", len(files))
			}
			if keys := ok(tb.st.OrphanedBlobs(ctx, 10))(t); len(keys) != 0 {
				t.Errorf("orphan records left: %v", keys)
			}
		})
	}
}

// TestUploadRefusals: what a player may upload, a size that is not the
// content's, a content larger than the file store takes, bad list
// queries, and a content removed behind the server's back.
func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			root := t.TempDir()
			svc := serviceOver(t, tb.st, mustDir(t, root), nil)
			content := pngHead + "handout"
			upload := func(userID string, p service.FileParams, content string, size int) (*gmc.File, error) {
				return svc.UploadFile(ctx, userID, tb.campaign.ID, p, strings.NewReader(content), int64(size))
			}
			handout := ok(upload(tb.player.ID, service.FileParams{Name: "letter.png", Kind: gmc.FileHandout}, content, len(content)))(t)
			if got, err := readFile(t, svc, tb.player.ID, handout.ID); err != nil || got != content {
				t.Errorf("the player's handout reads %q, %v", got, err)
			}
			_, err := upload(tb.player.ID, service.FileParams{Name: "me.png", Kind: gmc.FilePortrait}, content, len(content))
			fieldRefused(t, "player's portrait without a character", err, "form.character_id")
			_, err = upload(tb.gm.ID, service.FileParams{Name: "a.png", Kind: gmc.FileHandout}, content, len(content)+5)
			fieldRefused(t, "upload announcing more bytes than sent", err, "form.file")

			// The file store's own limit is below the server's file limit.
			small, err := blob.NewDir(t.TempDir(), 50)
			if err != nil {
				t.Fatal(err)
			}
			big := pngHead + strings.Repeat("x", 100)
			_, err = serviceOver(t, tb.st, small, nil).UploadFile(ctx, tb.gm.ID, tb.campaign.ID, service.FileParams{Name: "big.png", Kind: gmc.FileHandout}, strings.NewReader(big), int64(len(big)))
			codeRefused(t, "upload larger than the file store takes", err, gmc.ErrTooLarge, "file_too_large")

			_, err = svc.Files(ctx, tb.gm.ID, service.FileQuery{CampaignID: tb.campaign.ID, Kind: "song"})
			fieldRefused(t, "Files(kind song)", err, "query.kind")
			_, err = svc.Files(ctx, tb.gm.ID, service.FileQuery{CampaignID: tb.campaign.ID, AttachedTo: "the tavern"})
			fieldRefused(t, "Files(attached_to not an id)", err, "query.attached_to")

			if files := ok(svc.Files(ctx, tb.gm.ID, service.FileQuery{CampaignID: tb.campaign.ID}))(t); len(files) != 1 || files[0].ID != handout.ID {
				t.Errorf("files after the refusals = %v, want the handout only", files)
			}
			if n := countFiles(t, root); n != 1 {
				t.Errorf("%d contents stored, want the handout's", n)
			}
			if err := mustDir(t, root).Delete(ctx, handout.BlobKey); err != nil {
				t.Fatal(err)
			}
			if _, err := readFile(t, svc, tb.gm.ID, handout.ID); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("file whose content was removed by hand = %v, want not found", err)
			}
		})
	}
}

// TestUploadRaces: while an upload's content is being stored, another
// upload fills the campaign's quota, or the session it is attached to is
// deleted: the upload is refused as if it had come after, and its
// content does not stay.
func TestUploadRaces(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			root := t.TempDir()
			blobs := &hookedBlobs{Store: mustDir(t, root)}
			svc, err := service.New(service.Config{Store: tb.st, SecretKey: bytes.Repeat([]byte("k"), 32), Blobs: blobs,
				Files: service.FileLimits{QuotaBytes: 80}, PasswordParams: &service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
			if err != nil {
				t.Fatal(err)
			}
			// 45 and 40 bytes: each fits the quota of 80 alone, not both.
			mine, theirs := pngHead+strings.Repeat("m", 29), pngHead+strings.Repeat("t", 24)
			fired := false
			var other *gmc.File
			blobs.afterPut = func() {
				if fired {
					return // the other upload's own write
				}
				fired = true
				other = ok(svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, service.FileParams{Name: "b.png", Kind: gmc.FileHandout},
					strings.NewReader(theirs), int64(len(theirs))))(t)
			}
			_, err = svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, service.FileParams{Name: "a.png", Kind: gmc.FileHandout}, strings.NewReader(mine), int64(len(mine)))
			codeRefused(t, "upload overtaken by one that filled the quota", err, gmc.ErrTooLarge, "quota_exceeded")
			if other == nil {
				t.Fatal("the other upload did not run")
			}
			if files := ok(svc.Files(ctx, tb.gm.ID, service.FileQuery{CampaignID: tb.campaign.ID}))(t); len(files) != 1 || files[0].ID != other.ID {
				t.Errorf("files = %v, want the one that came first", files)
			}
			if n := countFiles(t, root); n != 1 {
				t.Errorf("%d contents stored, want the other upload's", n)
			}

			// Room for the next upload.
			if err := svc.DeleteFile(ctx, tb.gm.ID, other.ID); err != nil {
				t.Fatal(err)
			}
			doomed := ok(svc.CreateSession(ctx, tb.gm.ID, tb.campaign.ID, service.SessionParams{Title: "Doomed"}))(t)
			blobs.afterPut = func() {
				if err := svc.DeleteSession(ctx, tb.gm.ID, doomed.ID); err != nil {
					t.Error(err)
				}
			}
			small := string(testenv.WAV([]byte{0, 0}))
			_, err = svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, service.FileParams{Name: "c.wav", Kind: gmc.FileRecording, SessionID: doomed.ID},
				strings.NewReader(small), int64(len(small)))
			fieldRefused(t, "upload whose session was deleted meanwhile", err, "form.session_id")
			// The campaign itself deleted meanwhile.
			blobs.afterPut = func() {
				if err := svc.DeleteCampaign(ctx, tb.gm.ID, tb.campaign.ID); err != nil {
					t.Error(err)
				}
			}
			_, err = svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, service.FileParams{Name: "d.png", Kind: gmc.FileHandout},
				strings.NewReader(mine), int64(len(mine)))
			codeRefused(t, "upload whose campaign was deleted meanwhile", err, gmc.ErrNotFound, "campaign_not_found")
			blobs.afterPut = nil
			if n := countFiles(t, root); n != 0 {
				t.Errorf("%d contents stored, want none", n)
			}
		})
	}
}

// TestFilesWhenStoresFail: each database or file store step of uploading,
// listing, reading and deleting files failing fails the call (a
// deletion's content clean-up excepted: it is left to the purge), and the
// purge then leaves nothing behind.
func TestFilesWhenStoresFail(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			bs := newBrokenStore(be.open(t))
			tb := newTable(t, bs)
			root := t.TempDir()
			blobs := brokenBlobs{Store: mustDir(t, root), breakage: &breakage{}}
			svc := serviceOver(t, bs, blobs, nil)
			n := 0
			upload := func() (*gmc.File, error) {
				n++
				content := pngHead + strings.Repeat("z", n)
				return svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, service.FileParams{Name: "a.png", Kind: gmc.FilePortrait, CharacterID: tb.npc.ID},
					strings.NewReader(content), int64(len(content)))
			}
			for _, step := range []struct{ db, files string }{{db: "FileUsage"}, {db: "AddOrphanedBlob"}, {db: "LockBlob"}, {files: "PutContent"}, {files: "Stat"}} {
				bs.set(step.db)
				blobs.set(step.files)
				_, err := upload()
				bs.set("")
				blobs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%+v broken: UploadFile = %v, want the failure", step, err)
				}
			}
			ok(svc.PurgeExpiredRecordings(ctx, time.Now()))(t)
			if c := countFiles(t, root); c != 0 {
				t.Errorf("failed uploads left %d contents after the purge", c)
			}

			f := ok(upload())(t)
			reads := []struct {
				step string
				call func() error
			}{
				{"Files", func() error {
					_, err := svc.Files(ctx, tb.gm.ID, service.FileQuery{CampaignID: tb.campaign.ID})
					return err
				}},
				{"Character", func() error {
					_, err := svc.Files(ctx, tb.player.ID, service.FileQuery{CampaignID: tb.campaign.ID})
					return err
				}},
				{"Character", func() error { _, err := svc.File(ctx, tb.player.ID, f.ID); return err }},
				{"DeleteFile", func() error { return svc.DeleteFile(ctx, tb.gm.ID, f.ID) }},
			}
			for _, r := range reads {
				bs.set(r.step)
				err := r.call()
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: %v, want the failure", r.step, err)
				}
			}
			blobs.set("Open")
			if _, err := readFile(t, svc, tb.gm.ID, f.ID); !errors.Is(err, errBroken) {
				t.Errorf("OpenFile with the file store failing = %v, want the failure", err)
			}
			blobs.set("Delete")
			if err := svc.DeleteFile(ctx, tb.gm.ID, f.ID); err != nil {
				t.Errorf("DeleteFile with the file store failing = %v, want the row deleted", err)
			}
			blobs.set("")
			if _, err := svc.File(ctx, tb.gm.ID, f.ID); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("file after its deletion = %v", err)
			}
			ok(svc.PurgeExpiredRecordings(ctx, time.Now()))(t)
			if c := countFiles(t, root); c != 0 {
				t.Errorf("%d contents left after the purge", c)
			}
			if keys := ok(bs.OrphanedBlobs(ctx, 10))(t); len(keys) != 0 {
				t.Errorf("orphan records left: %v", keys)
			}
		})
	}
}

var _ store.Store = brokenStore{}
