package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func newFile(t testing.TB, c *gmc.Campaign, kind string, size int64, edit ...func(*gmc.File)) *gmc.File {
	t.Helper()
	id := newID(t)
	f := &gmc.File{ID: id, CampaignID: c.ID, BlobKey: "files/" + c.ID + "/" + id, Name: "map.png", ContentType: "image/png",
		Size: size, SHA256: strings.Repeat("ab", 32), Kind: kind, Visibility: gmc.VisiblePlayers, CreatedBy: c.CreatedBy, CreatedAt: now()}
	for _, e := range edit {
		e(f)
	}
	return f
}

func fileEvent(t testing.TB, f *gmc.File) *gmc.Event {
	return newEvent(t, f.CampaignID, f.CreatedBy, gmc.ActionCreate, gmc.EntityFile, f.ID, f)
}

func mustCreateFile(t testing.TB, s store.Store, f *gmc.File) {
	t.Helper()
	if err := s.CreateFile(context.Background(), f, 0, fileEvent(t, f)); err != nil {
		t.Fatalf("CreateFile = %v", err)
	}
}

func testFile(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("CreateGetListDelete", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		ch := mustCreateCharacter(t, s, c, "Aria")
		loc := mustCreateLocation(t, s, c, nil, "Keep")
		gs := mustCreateSession(t, s, c, "S1")
		portrait := newFile(t, c, gmc.FilePortrait, 10, func(f *gmc.File) { f.CharacterID = &ch.ID })
		m := newFile(t, c, gmc.FileMap, 20, func(f *gmc.File) { f.LocationID = &loc.ID; f.Visibility = gmc.VisibleGM })
		rec := newFile(t, c, gmc.FileRecording, 30, func(f *gmc.File) { f.SessionID = &gs.ID; f.ContentType = "audio/flac" })
		handout := newFile(t, c, gmc.FileHandout, 40)
		for _, f := range []*gmc.File{portrait, m, rec, handout} {
			mustCreateFile(t, s, f)
		}
		got, err := s.File(ctx, m.ID)
		wantErr(t, "File", err, nil)
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("File (-want +got):\n%s", diff)
		}
		lists := []struct {
			q    store.FileQuery
			want []*gmc.File
		}{
			{store.FileQuery{}, []*gmc.File{portrait, m, rec, handout}},
			{store.FileQuery{Kind: gmc.FileMap}, []*gmc.File{m}},
			{store.FileQuery{AttachedTo: ch.ID}, []*gmc.File{portrait}},
			{store.FileQuery{AttachedTo: gs.ID, Kind: gmc.FileRecording}, []*gmc.File{rec}},
			{store.FileQuery{AttachedTo: gs.ID, Kind: gmc.FileMap}, nil},
			{store.FileQuery{AttachedTo: newID(t)}, nil},
		}
		for _, tc := range lists {
			list, err := s.Files(ctx, c.ID, tc.q)
			wantErr(t, "Files", err, nil)
			if diff := cmp.Diff(tc.want, list, cmp.Comparer(func(a, b []*gmc.File) bool { return len(a) == 0 && len(b) == 0 || cmp.Equal(a, b) })); diff != "" {
				t.Errorf("Files(%+v) (-want +got):\n%s", tc.q, diff)
			}
		}
		used, err := s.FileUsage(ctx, c.ID)
		if err != nil || used != 100 {
			t.Errorf("FileUsage = %d, %v; want 100", used, err)
		}
		del := newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntityFile, handout.ID, nil)
		wantErr(t, "DeleteFile", s.DeleteFile(ctx, handout.ID, del), nil)
		_, err = s.File(ctx, handout.ID)
		wantErr(t, "File(deleted)", err, gmc.ErrNotFound)
		wantErr(t, "DeleteFile again", s.DeleteFile(ctx, handout.ID, del), gmc.ErrNotFound)
		if used, _ := s.FileUsage(ctx, c.ID); used != 60 {
			t.Errorf("FileUsage after delete = %d, want 60", used)
		}
	})
	t.Run("Refusals", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		d := mustCreateCampaign(t, s, gm, "D")
		theirs := mustCreateCharacter(t, s, d, "Elsewhere")
		kept := newFile(t, c, gmc.FileHandout, 5)
		mustCreateFile(t, s, kept)
		cross := newFile(t, c, gmc.FilePortrait, 5, func(f *gmc.File) { f.CharacterID = &theirs.ID })
		wantErr(t, "CreateFile(character of another campaign)", s.CreateFile(ctx, cross, 0, fileEvent(t, cross)), gmc.ErrNotFound)
		missing := newID(t)
		noSession := newFile(t, c, gmc.FileRecording, 5, func(f *gmc.File) { f.SessionID = &missing })
		wantErr(t, "CreateFile(no session)", s.CreateFile(ctx, noSession, 0, fileEvent(t, noSession)), gmc.ErrNotFound)
		noCampaign := newFile(t, &gmc.Campaign{ID: newID(t), CreatedBy: gm.ID}, gmc.FileHandout, 5)
		wantErr(t, "CreateFile(no campaign)", s.CreateFile(ctx, noCampaign, 0, fileEvent(t, noCampaign)), gmc.ErrNotFound)
		for _, id := range []string{newID(t), "not-an-id"} {
			_, err := s.File(ctx, id)
			wantErr(t, "File("+id+")", err, gmc.ErrNotFound)
			wantErr(t, "DeleteFile("+id+")", s.DeleteFile(ctx, id, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntityFile, id, nil)), gmc.ErrNotFound)
		}
		wantErr(t, "CreateFile(same id)", s.CreateFile(ctx, kept, 0, fileEvent(t, kept)), gmc.ErrConflict)
		if list, _ := s.Files(ctx, c.ID, store.FileQuery{}); len(list) != 1 {
			t.Errorf("Files = %d after refused creates, want 1", len(list))
		}
	})
	// Quota: the sum and the insert are one step, so of concurrent
	// uploads that each fit alone, only as many as fit together pass.
	t.Run("Quota", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		other := mustCreateCampaign(t, s, gm, "Other")
		mustCreateFile(t, s, newFile(t, other, gmc.FileHandout, 1000))
		exact := newFile(t, c, gmc.FileHandout, 40)
		wantErr(t, "CreateFile(fits exactly)", s.CreateFile(ctx, exact, 100, fileEvent(t, exact)), nil)
		const racers = 8
		var wg sync.WaitGroup
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() {
				f := newFile(t, c, gmc.FileHandout, 20)
				errs[i] = s.CreateFile(ctx, f, 100, fileEvent(t, f))
			})
		}
		wg.Wait()
		passed := 0
		for _, err := range errs {
			switch {
			case err == nil:
				passed++
			case !errors.Is(err, gmc.ErrTooLarge):
				t.Errorf("CreateFile over quota = %v, want ErrTooLarge", err)
			}
		}
		if used, _ := s.FileUsage(ctx, c.ID); passed != 3 || used != 100 {
			t.Errorf("%d of %d concurrent uploads passed, usage %d; want 3 and 100", passed, racers, used)
		}
	})
	// OrphanedBlobs: a file row that goes with its attachment or by hand
	// leaves its key; a rolled-back deletion leaves none.
	t.Run("OrphanedBlobs", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		ch := mustCreateCharacter(t, s, c, "Aria")
		byHand, withCharacter := newFile(t, c, gmc.FileHandout, 1), newFile(t, c, gmc.FilePortrait, 1, func(f *gmc.File) { f.CharacterID = &ch.ID })
		mustCreateFile(t, s, byHand)
		mustCreateFile(t, s, withCharacter)
		errUndo := errors.New("undo")
		err := s.InTx(ctx, func(tx store.Store) error {
			if err := tx.DeleteFile(ctx, byHand.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntityFile, byHand.ID, nil)); err != nil {
				return err
			}
			return errUndo
		})
		wantErr(t, "rolled-back DeleteFile", err, errUndo)
		if keys, _ := s.OrphanedBlobs(ctx, 100); len(keys) != 0 {
			t.Fatalf("OrphanedBlobs after a rolled-back deletion = %v", keys)
		}
		wantErr(t, "DeleteFile", s.DeleteFile(ctx, byHand.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntityFile, byHand.ID, nil)), nil)
		wantErr(t, "DeleteCharacter", s.DeleteCharacter(ctx, ch.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntityCharacter, ch.ID, nil)), nil)
		want := []string{byHand.BlobKey, withCharacter.BlobKey}
		slices.Sort(want)
		keys, err := s.OrphanedBlobs(ctx, 100)
		wantErr(t, "OrphanedBlobs", err, nil)
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("OrphanedBlobs (-want +got):\n%s", diff)
		}
		if _, err := s.File(ctx, withCharacter.ID); !errors.Is(err, gmc.ErrNotFound) {
			t.Errorf("portrait of a deleted character = %v, want ErrNotFound", err)
		}
	})
	// SharedBlobs: files of the same content, in one campaign or two,
	// share a blob key; the key is referred to while any of them is,
	// and each deletion leaves it among the orphans for the purge to
	// check.
	t.Run("SharedBlobs", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c, d := mustCreateCampaign(t, s, gm, "C"), mustCreateCampaign(t, s, gm, "D")
		key := "sha256/ab/" + strings.Repeat("ab", 31)
		shared := func(f *gmc.File) { f.BlobKey = key }
		first, second, third := newFile(t, c, gmc.FileHandout, 5, shared), newFile(t, c, gmc.FileMap, 5, shared), newFile(t, d, gmc.FileHandout, 5, shared)
		referenced := func(want bool) {
			t.Helper()
			used, err := s.BlobReferenced(ctx, key)
			if err != nil || used != want {
				t.Errorf("BlobReferenced = %v, %v; want %v", used, err, want)
			}
		}
		referenced(false)
		for _, f := range []*gmc.File{first, second, third} {
			mustCreateFile(t, s, f)
		}
		referenced(true)
		for _, f := range []*gmc.File{first, second} {
			wantErr(t, "DeleteFile", s.DeleteFile(ctx, f.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntityFile, f.ID, nil)), nil)
			referenced(true)
		}
		wantErr(t, "ForgetOrphanedBlob", s.ForgetOrphanedBlob(ctx, key), nil)
		wantErr(t, "DeleteCampaign", s.DeleteCampaign(ctx, d.ID), nil)
		referenced(false)
		if keys, _ := s.OrphanedBlobs(ctx, 100); !slices.Equal(keys, []string{key}) {
			t.Errorf("OrphanedBlobs = %v, want [%s]", keys, key)
		}
		// A recording's key counts too.
		rec := newRecording(t, c, mustCreateSession(t, s, c, "S"), nil)
		mustCreateRecording(t, s, rec)
		if used, err := s.BlobReferenced(ctx, rec.BlobKey); !used || err != nil {
			t.Errorf("BlobReferenced(recording's key) = %v, %v; want true", used, err)
		}
		// AddOrphanedBlob: a key there already, or twice, is no error.
		for range 2 {
			wantErr(t, "AddOrphanedBlob", s.AddOrphanedBlob(ctx, key), nil)
			wantErr(t, "AddOrphanedBlob", s.AddOrphanedBlob(ctx, "sha256/cd/"+strings.Repeat("cd", 31)), nil)
		}
		if keys, _ := s.OrphanedBlobs(ctx, 100); len(keys) != 2 {
			t.Errorf("OrphanedBlobs after AddOrphanedBlob = %v, want 2 keys", keys)
		}
	})
	// BlobLock: the purge's exclusive lock keeps a deletion of a row
	// referring to the key, and another transaction's shared lock,
	// waiting until it ends; outside a transaction it is refused.
	t.Run("BlobLock", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		key := "sha256/ef/" + strings.Repeat("ef", 31)
		f := newFile(t, c, gmc.FileHandout, 5, func(f *gmc.File) { f.BlobKey = key })
		mustCreateFile(t, s, f)
		if err := s.LockBlob(ctx, key, true); err == nil {
			t.Error("LockBlob outside a transaction = nil, want an error")
		}
		locked, release := make(chan struct{}), make(chan struct{})
		var purge sync.WaitGroup
		purge.Go(func() {
			err := s.InTx(ctx, func(tx store.Store) error {
				if err := tx.LockBlob(ctx, key, true); err != nil {
					return err
				}
				close(locked)
				<-release
				used, err := tx.BlobReferenced(ctx, key)
				if err == nil && !used {
					t.Error("BlobReferenced under the lock = false while the row is there")
				}
				return err
			})
			wantErr(t, "purge's InTx", err, nil)
		})
		<-locked
		var others sync.WaitGroup
		var done [2]atomic.Bool
		others.Go(func() {
			wantErr(t, "DeleteFile", s.DeleteFile(ctx, f.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntityFile, f.ID, nil)), nil)
			done[0].Store(true)
		})
		others.Go(func() {
			wantErr(t, "InTx(shared lock)", s.InTx(ctx, func(tx store.Store) error { return tx.LockBlob(ctx, key, false) }), nil)
			done[1].Store(true)
		})
		// Long enough for either to finish, were it not held back.
		time.Sleep(200 * time.Millisecond)
		if done[0].Load() || done[1].Load() {
			t.Errorf("deletion done %v, shared lock taken %v while the purge holds the lock; want both waiting", done[0].Load(), done[1].Load())
		}
		close(release)
		purge.Wait()
		others.Wait()
		if used, err := s.BlobReferenced(ctx, key); used || err != nil {
			t.Errorf("BlobReferenced after the deletion = %v, %v; want false", used, err)
		}
	})
}
