package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// TestServiceWithoutFileStoreOrQueue: a server built without a file store
// (or job queue) refuses everything that needs one, before touching
// anything, and its purge has nothing to do.
func TestServiceWithoutFileStoreOrQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tb := newTable(t, storeBackends[0].open(t))
	svc := serviceOver(t, tb.st, nil, newMemJobs())
	id := uuid.Must(uuid.NewV7()).String()
	rp := service.RecordingParams{FileName: "a.wav", ContentType: "audio/wav", SizeBytes: 1, Tracks: 1}
	calls := []struct {
		name string
		call func() error
	}{
		{"CreateRecording", func() error {
			_, err := svc.CreateRecording(ctx, tb.gm.ID, tb.session.ID, rp, strings.NewReader("a"))
			return err
		}},
		{"OpenRecording", func() error { _, _, err := svc.OpenRecording(ctx, tb.gm.ID, id); return err }},
		{"DeleteRecording", func() error { return svc.DeleteRecording(ctx, tb.gm.ID, id) }},
		{"FinishRecording", func() error { return svc.FinishRecording(ctx, id, true) }},
		{"RunExportJob", func() error {
			_, err := svc.RunExportJob(ctx, service.BundleJob{JobID: id, UserID: tb.gm.ID}, service.ExportArgs{CampaignID: tb.campaign.ID, Format: "json"}, nil)
			return err
		}},
		{"RunImportJob", func() error {
			_, err := svc.RunImportJob(ctx, service.BundleJob{JobID: id, UserID: tb.gm.ID}, service.ImportArgs{CampaignID: id, BlobKey: "imports/" + id}, nil)
			return err
		}},
		{"DeleteBlob", func() error { return svc.DeleteBlob(ctx, "imports/"+id) }},
		{"DiscardImport", func() error {
			return svc.DiscardImport(ctx, service.ImportArgs{CampaignID: id, BlobKey: "imports/" + id})
		}},
	}
	for _, c := range calls {
		if err := c.call(); err == nil || errors.Is(err, gmc.ErrNotFound) || errors.Is(err, gmc.ErrForbidden) {
			t.Errorf("%s without a file store = %v, want it refused for the missing file store", c.name, err)
		}
	}
	for name, call := range map[string]func() error{
		"UploadFile": func() error {
			_, err := svc.UploadFile(ctx, tb.gm.ID, tb.campaign.ID, service.FileParams{Name: "a.png", Kind: gmc.FileHandout}, strings.NewReader(pngHead), int64(len(pngHead)))
			return err
		},
		"OpenFile":   func() error { _, _, err := svc.OpenFile(ctx, tb.gm.ID, id); return err },
		"DeleteFile": func() error { return svc.DeleteFile(ctx, tb.gm.ID, id) },
	} {
		codeRefused(t, name+" without a file store", call(), gmc.ErrUnavailable, "no_file_store")
	}
	if n, err := svc.PurgeExpiredRecordings(ctx, time.Now()); n != 0 || err != nil {
		t.Errorf("PurgeExpiredRecordings without a file store = %d, %v; want 0, nil", n, err)
	}
	// Exports run within the request instead of a job.
	jobID := ok(svc.ExportCampaignJob(ctx, tb.gm.ID, tb.campaign.ID, "json", true))(t)
	if jobID != "" {
		t.Errorf("ExportCampaignJob without a file store queued %s, want the export within the request", jobID)
	}

	// Without a job queue a recording cannot be transcribed: refused
	// before anything is stored.
	blobs := mustDir(t, t.TempDir())
	noQueue := serviceOver(t, tb.st, blobs, nil)
	if _, _, err := noQueue.UploadRecording(ctx, tb.gm.ID, tb.session.ID, rp, strings.NewReader("a")); err == nil {
		t.Error("UploadRecording without a job queue succeeded")
	}
	if list := ok(noQueue.Recordings(ctx, tb.gm.ID, tb.session.ID))(t); len(list) != 0 {
		t.Errorf("%d recordings stored by refused uploads", len(list))
	}
}

// TestUploadRecordingQueueFails: a recording whose transcription cannot
// be queued is deleted again, row and audio; a player may not upload.
func TestUploadRecordingQueueFails(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			dir := mustDir(t, t.TempDir())
			q := newMemJobs()
			svc := serviceOver(t, tb.st, dir, q)
			rp := service.RecordingParams{FileName: "a.wav", ContentType: "audio/wav", SizeBytes: 5, Tracks: 1}
			r, jobID, err := svc.UploadRecording(ctx, tb.gm.ID, tb.session.ID, rp, strings.NewReader("audio"))
			if err != nil || jobID == "" || q.kinds()[(service.TranscribeArgs{}).Kind()] != 1 {
				t.Fatalf("UploadRecording = %v, %q, %v; want a recording and its job", r, jobID, err)
			}
			q.mu.Lock()
			q.broken = true
			q.mu.Unlock()
			if _, _, err := svc.UploadRecording(ctx, tb.gm.ID, tb.session.ID, rp, strings.NewReader("audio")); !errors.Is(err, errBroken) {
				t.Errorf("UploadRecording with the queue broken = %v, want its failure", err)
			}
			if list := ok(svc.Recordings(ctx, tb.gm.ID, tb.session.ID))(t); len(list) != 1 || list[0].ID != r.ID {
				t.Errorf("recordings after the failed upload = %v, want only the first", list)
			}
			if keys := ok(tb.st.OrphanedBlobs(ctx, 10))(t); len(keys) != 0 {
				t.Errorf("orphaned blobs left = %v", keys)
			}
			if _, _, err := svc.UploadRecording(ctx, tb.player.ID, tb.session.ID, rp, strings.NewReader("audio")); !errors.Is(err, gmc.ErrForbidden) {
				t.Errorf("UploadRecording as player = %v, want forbidden", err)
			}
			bad := rp
			bad.Tracks = 0
			q.mu.Lock()
			q.broken = false
			q.mu.Unlock()
			_, _, err = svc.UploadRecording(ctx, tb.gm.ID, tb.session.ID, bad, strings.NewReader("audio"))
			if !errors.Is(err, gmc.ErrInvalid) {
				t.Errorf("UploadRecording without tracks = %v, want invalid", err)
			}
		})
	}
}

// TestRecordingFileStoreFailures: when the file store fails, an upload
// stores nothing; a deletion still removes the row and leaves the audio
// to the purge, which fails while the store does and deletes it once it
// works again; audio removed behind the server's back is not found.
func TestRecordingFileStoreFailures(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			tb := newTable(t, be.open(t))
			dir := mustDir(t, t.TempDir())
			blobs := brokenBlobs{Store: dir, breakage: &breakage{}}
			svc := serviceOver(t, tb.st, blobs, nil)
			rp := service.RecordingParams{FileName: "a.wav", ContentType: "audio/wav", SizeBytes: 5, Tracks: 1}
			record := func() (*gmc.Recording, error) {
				return svc.CreateRecording(ctx, tb.gm.ID, tb.session.ID, rp, strings.NewReader("audio"))
			}

			blobs.set("Put")
			if _, err := record(); !errors.Is(err, errBroken) {
				t.Errorf("CreateRecording with the file store failing = %v, want its failure", err)
			}
			blobs.set("")
			if list := ok(svc.Recordings(ctx, tb.gm.ID, tb.session.ID))(t); len(list) != 0 {
				t.Errorf("a failed upload stored %d recordings", len(list))
			}

			r := ok(record())(t)
			blobs.set("Open")
			if _, _, err := svc.OpenRecording(ctx, tb.gm.ID, r.ID); !errors.Is(err, errBroken) {
				t.Errorf("OpenRecording with the file store failing = %v, want its failure", err)
			}
			blobs.set("Delete")
			if err := svc.DeleteRecording(ctx, tb.gm.ID, r.ID); err != nil {
				t.Errorf("DeleteRecording with the file store failing = %v, want the row deleted all the same", err)
			}
			if _, err := tb.st.Recording(ctx, r.ID); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("recording row after its deletion: %v", err)
			}
			if keys := ok(tb.st.OrphanedBlobs(ctx, 10))(t); len(keys) != 1 || keys[0] != r.BlobKey {
				t.Errorf("orphaned blobs = %v, want the recording's audio left for the purge", keys)
			}
			if _, err := svc.PurgeExpiredRecordings(ctx, time.Now()); !errors.Is(err, errBroken) {
				t.Errorf("purge with the file store failing = %v, want its failure", err)
			}
			blobs.set("")
			ok(svc.PurgeExpiredRecordings(ctx, time.Now()))(t)
			if _, err := dir.Stat(ctx, r.BlobKey); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("audio after the purge: %v, want deleted", err)
			}
			if keys := ok(tb.st.OrphanedBlobs(ctx, 10))(t); len(keys) != 0 {
				t.Errorf("orphaned blobs after the purge = %v", keys)
			}

			lost := ok(record())(t)
			if err := dir.Delete(ctx, lost.BlobKey); err != nil {
				t.Fatal(err)
			}
			_, _, err := svc.OpenRecording(ctx, tb.gm.ID, lost.ID)
			codeRefused(t, "OpenRecording of audio removed by hand", err, gmc.ErrNotFound, "recording_not_found")
		})
	}
}

// TestRecordingDatabaseFailures breaks the database at each step of
// storing, deleting and purging recordings: the error comes back, an
// upload leaves no audio, and a deletion that failed leaves the
// recording whole.
func TestRecordingDatabaseFailures(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			bs := newBrokenStore(be.open(t))
			tb := newTable(t, bs)
			root := t.TempDir()
			dir := mustDir(t, root)
			// The audio's deletion after a failed row fails too: logged, and
			// the purge of the blob it left is the operator's.
			blobs := brokenBlobs{Store: dir, breakage: &breakage{}}
			svc := serviceOver(t, bs, blobs, nil)
			rp := service.RecordingParams{FileName: "a.wav", ContentType: "audio/wav", SizeBytes: 5, Tracks: 1}
			record := func() (*gmc.Recording, error) {
				return svc.CreateRecording(ctx, tb.gm.ID, tb.session.ID, rp, strings.NewReader("audio"))
			}
			for _, step := range []string{"Campaign", "CreateRecording"} {
				bs.set(step)
				_, err := record()
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: CreateRecording = %v, want the failure", step, err)
				}
			}
			if n := countFiles(t, root); n != 0 {
				t.Errorf("failed uploads left %d files", n)
			}
			bs.set("CreateRecording")
			blobs.set("Delete")
			if _, err := record(); !errors.Is(err, errBroken) {
				t.Errorf("CreateRecording with row and clean-up broken = %v, want the failure", err)
			}
			bs.set("")
			blobs.set("")

			r := ok(record())(t)
			for _, step := range []string{"DeleteRecording"} {
				bs.set(step)
				err := svc.DeleteRecording(ctx, tb.gm.ID, r.ID)
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: DeleteRecording = %v, want the failure", step, err)
				}
			}
			if _, err := dir.Stat(ctx, r.BlobKey); err != nil {
				t.Errorf("audio after a failed deletion: %v, want it kept", err)
			}
			// The row goes; the audio's clean-up fails at each of its steps
			// and is left to the purge, which fails there too until the
			// database works again.
			for _, step := range []string{"LockBlob", "ForgetOrphanedBlob", "BlobReferenced"} {
				r := ok(record())(t)
				bs.set(step)
				if err := svc.DeleteRecording(ctx, tb.gm.ID, r.ID); err != nil {
					t.Errorf("%s broken: DeleteRecording = %v, want the row deleted", step, err)
				}
				if _, err := svc.PurgeExpiredRecordings(ctx, time.Now()); !errors.Is(err, errBroken) {
					t.Errorf("%s broken: purge = %v, want the failure", step, err)
				}
				bs.set("")
				ok(svc.PurgeExpiredRecordings(ctx, time.Now()))(t)
				if _, err := dir.Stat(ctx, r.BlobKey); !errors.Is(err, blob.ErrNotFound) {
					t.Errorf("%s broken: audio after the purge that worked: %v", step, err)
				}
			}
			// A recording kept for a day, purged two days later.
			settings := gmc.DefaultCampaignSettings()
			settings.KeepRecordings, settings.RecordingRetentionDays = true, 1
			ok(svc.UpdateCampaign(ctx, tb.gm.ID, tb.campaign.ID, service.CampaignUpdate{Settings: &settings}))(t)
			ok(record())(t)
			for _, step := range []string{"ExpiredRecordings", "DeleteRecording", "OrphanedBlobs"} {
				bs.set(step)
				_, err := svc.PurgeExpiredRecordings(ctx, time.Now().Add(48*time.Hour))
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: purge = %v, want the failure", step, err)
				}
			}
			r = ok(record())(t)
			bs.set("Campaign")
			err := svc.FinishRecording(ctx, r.ID, true)
			bs.set("")
			if !errors.Is(err, errBroken) {
				t.Errorf("FinishRecording with the campaign unreadable = %v, want the failure", err)
			}
			if got := ok(tb.st.Recording(ctx, r.ID))(t); got.Status != gmc.RecordingStored {
				t.Errorf("recording after the failed finish is %s, want stored", got.Status)
			}
		})
	}
}

// TestRetentionWhenTheDatabaseFails: each step of the retention purge
// failing stops it with the error; what it deleted before stays deleted.
func TestRetentionWhenTheDatabaseFails(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			bs := newBrokenStore(be.open(t))
			tb := newTable(t, bs)
			dir := mustDir(t, t.TempDir())
			svc := serviceOver(t, bs, dir, nil)
			rp := service.RecordingParams{FileName: "a.wav", ContentType: "audio/wav", SizeBytes: 5, Tracks: 1}
			ok(svc.CreateRecording(ctx, tb.gm.ID, tb.session.ID, rp, strings.NewReader("audio")))(t)
			ok(svc.IngestSegments(ctx, tb.gm.ID, tb.session.ID, []*gmc.TranscriptSegment{{SpeakerLabel: "a", EndMS: 1, Text: "old words"}}))(t)
			later := time.Now().Add(time.Hour)
			all := service.Retention{Recordings: time.Minute, Transcripts: time.Minute, Events: time.Minute}
			for _, step := range []string{"RecordingsCreatedBefore", "DeleteRecording", "OrphanedBlobs", "DeleteSegmentsBefore", "DeleteEventsBefore"} {
				bs.set(step)
				_, err := svc.PurgeRetained(ctx, later, all)
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: PurgeRetained = %v, want the failure", step, err)
				}
			}
			rep := ok(svc.PurgeRetained(ctx, later, all))(t)
			if rep.Recordings != 0 || rep.Segments != 0 {
				t.Errorf("the purge after the failures deleted %+v; the failed runs had deleted the recording and segments already", rep)
			}
			if segs, _, err := tb.st.Segments(ctx, store.SegmentFilter{SessionID: tb.session.ID, Limit: 10}); err != nil || len(segs) != 0 {
				t.Errorf("segments after the purges = %d (%v), want none", len(segs), err)
			}
		})
	}
}

// TestBundleJobFailures: an export job whose user is no longer the GM,
// whose file the file store refuses, or whose clean-up cannot be queued
// fails; an import job whose document is gone or unreadable fails
// without a campaign; one whose document's deletion fails succeeds, and
// its next attempt answers the same campaign with the same members.
func TestBundleJobFailures(t *testing.T) {
	t.Parallel()
	for _, be := range storeBackends {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			bs := newBrokenStore(be.open(t))
			tb := newTable(t, bs)
			root := t.TempDir()
			dir := mustDir(t, root)
			blobs := brokenBlobs{Store: dir, breakage: &breakage{}}
			q := newMemJobs()
			svc := serviceOver(t, bs, blobs, q)
			export := service.ExportArgs{CampaignID: tb.campaign.ID, Format: "json"}
			job := service.BundleJob{JobID: uuid.Must(uuid.NewV7()).String(), UserID: tb.gm.ID}

			if _, err := svc.RunExportJob(ctx, service.BundleJob{JobID: job.JobID, UserID: tb.player.ID}, export, nil); !errors.Is(err, gmc.ErrForbidden) {
				t.Errorf("export job of a player = %v, want forbidden", err)
			}
			blobs.set("Put")
			if _, err := svc.RunExportJob(ctx, job, export, nil); !errors.Is(err, errBroken) {
				t.Errorf("export job with the file store failing = %v, want its failure", err)
			}
			blobs.set("")
			q.mu.Lock()
			q.broken = true
			q.mu.Unlock()
			if _, err := svc.RunExportJob(ctx, job, export, nil); !errors.Is(err, errBroken) {
				t.Errorf("export job whose clean-up cannot be queued = %v, want the failure", err)
			}
			q.mu.Lock()
			q.broken = false
			q.mu.Unlock()
			tiny, err := blob.NewDir(t.TempDir(), 10)
			if err != nil {
				t.Fatal(err)
			}
			_, err = serviceOver(t, tb.st, tiny, q).RunExportJob(ctx, job, export, nil)
			codeRefused(t, "export job larger than the file store takes", err, gmc.ErrTooLarge, "export_too_large")

			// JobFile follows the job's state.
			exportID := ok(svc.ExportCampaignJob(ctx, tb.gm.ID, tb.campaign.ID, "json", true))(t)
			_, _, err = svc.JobFile(ctx, tb.gm.ID, exportID)
			codeRefused(t, "JobFile of a queued export", err, gmc.ErrConflict, "job_not_succeeded")
			res := ok(svc.RunExportJob(ctx, service.BundleJob{JobID: exportID, UserID: tb.gm.ID}, export, nil))(t)
			raw, _ := json.Marshal(res)
			q.finish(exportID, gmc.JobSucceeded, raw)
			blobs.set("Open")
			if _, _, err := svc.JobFile(ctx, tb.gm.ID, exportID); !errors.Is(err, errBroken) {
				t.Errorf("JobFile with the file store failing = %v, want its failure", err)
			}
			blobs.set("")
			_, rc, err := svc.JobFile(ctx, tb.gm.ID, exportID)
			if err != nil {
				t.Fatal(err)
			}
			doc, _ := io.ReadAll(rc)
			rc.Close()
			var b gmc.Bundle
			if err := json.Unmarshal(doc, &b); err != nil || b.Campaign.Name != "Barovia" {
				t.Errorf("the export job's file: %v, campaign %q", err, b.Campaign.Name)
			}

			// Imports.
			raw, _ = json.Marshal(b)
			campaigns := len(ok2(svc.Campaigns(ctx, tb.player.ID, gmc.Page{}))(t))
			importJob := service.BundleJob{JobID: uuid.Must(uuid.NewV7()).String(), UserID: tb.player.ID}
			goneID := uuid.Must(uuid.NewV7()).String()
			_, err = svc.RunImportJob(ctx, importJob, service.ImportArgs{CampaignID: goneID, BlobKey: "imports/" + goneID}, nil)
			codeRefused(t, "import job whose document is gone", err, gmc.ErrNotFound, "import_document_gone")
			garbled := uuid.Must(uuid.NewV7()).String()
			ok(dir.Put(ctx, "imports/"+garbled, strings.NewReader("{not json"), -1, "application/json"))(t)
			if _, err := svc.RunImportJob(ctx, importJob, service.ImportArgs{CampaignID: garbled, BlobKey: "imports/" + garbled}, nil); err == nil {
				t.Error("import job of an unreadable document succeeded")
			}
			// A document that is JSON but no bundle this server reads.
			alien := uuid.Must(uuid.NewV7()).String()
			ok(dir.Put(ctx, "imports/"+alien, strings.NewReader(`{"format_version": 2}`), -1, "application/json"))(t)
			_, err = svc.RunImportJob(ctx, importJob, service.ImportArgs{CampaignID: alien, BlobKey: "imports/" + alien}, nil)
			fieldRefused(t, "import job of a version 2 document", err, "body.format_version")
			// A job failed for good discards its document.
			if err := svc.DiscardImport(ctx, service.ImportArgs{CampaignID: garbled, BlobKey: "imports/" + garbled}); err != nil {
				t.Fatal(err)
			}
			if _, err := dir.Stat(ctx, "imports/"+garbled); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("discarded document: %v, want deleted", err)
			}
			if n := len(ok2(svc.Campaigns(ctx, tb.player.ID, gmc.Page{}))(t)); n != campaigns {
				t.Errorf("failed import jobs made %d campaigns", n-campaigns)
			}

			if _, err := svc.ImportCampaignJob(ctx, uuid.Must(uuid.NewV7()).String(), raw, &b, true); !errors.Is(err, gmc.ErrNotFound) {
				t.Errorf("ImportCampaignJob of an unknown user = %v, want not found", err)
			}
			blobs.set("Put")
			if _, err := svc.ImportCampaignJob(ctx, tb.player.ID, raw, &b, true); !errors.Is(err, errBroken) {
				t.Errorf("ImportCampaignJob with the file store failing = %v, want its failure", err)
			}
			blobs.set("")
			q.mu.Lock()
			q.broken = true
			q.mu.Unlock()
			if _, err := svc.ImportCampaignJob(ctx, tb.player.ID, raw, &b, true); !errors.Is(err, errBroken) {
				t.Errorf("ImportCampaignJob with the queue failing = %v, want its failure", err)
			}
			q.mu.Lock()
			q.broken = false
			q.mu.Unlock()
			if keys := storedKeys(t, root, "imports/"); len(keys) != 1 || keys[0] != "imports/"+alien {
				t.Errorf("import documents stored = %v, want only the alien one of this test", keys)
			}

			// The bundle names an unknown member and the GM twice: both
			// are skipped, by the job and by its attempt run again.
			b.Members = append(b.Members, gmc.BundleMember{Email: "nobody@example.com", Role: gmc.RolePlayer}, b.Members[0], b.Members[0])
			raw, _ = json.Marshal(b)
			jobID := ok(svc.ImportCampaignJob(ctx, tb.player.ID, raw, &b, true))(t)
			var args service.ImportArgs
			q.mu.Lock()
			args = q.args[jobID].(service.ImportArgs)
			q.mu.Unlock()
			blobs.set("Delete")
			first, err := svc.RunImportJob(ctx, importJob, args, nil)
			blobs.set("")
			if err != nil {
				t.Fatalf("import job whose document cannot be deleted = %v, want it imported", err)
			}
			if _, err := dir.Stat(ctx, args.BlobKey); err != nil {
				t.Fatalf("document after the failed deletion: %v, want it kept", err)
			}
			// The campaign renamed since: its later events do not change
			// what the import counted.
			renamed := "Barovia again"
			ok(svc.UpdateCampaign(ctx, tb.player.ID, first.CampaignID, service.CampaignUpdate{Name: &renamed}))(t)
			// Attempts that cannot read what the first one made fail, and
			// leave the document for the next.
			for _, step := range []string{"Events", "Members", "User"} {
				bs.set(step)
				_, err := svc.RunImportJob(ctx, importJob, args, nil)
				bs.set("")
				if !errors.Is(err, errBroken) {
					t.Errorf("%s broken: attempt run again = %v, want the failure", step, err)
				}
			}
			again, err := svc.RunImportJob(ctx, importJob, args, nil)
			if err != nil {
				t.Fatal(err)
			}
			if first.CampaignID != again.CampaignID || !equalJSON(t, first, again) {
				t.Errorf("the attempt run again answered %+v, the first %+v", again, first)
			}
			if len(first.SkippedMembers) < 2 {
				t.Errorf("skipped members %v, want the unknown one and the repeated one", first.SkippedMembers)
			}
			if _, err := dir.Stat(ctx, args.BlobKey); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("document after the second attempt: %v, want deleted", err)
			}
		})
	}
}

// storedKeys lists the keys under prefix of the local file store kept
// in root (it keeps each key as a path).
func storedKeys(t *testing.T, root, prefix string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if k := filepath.ToSlash(rel); strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ra, _ := json.Marshal(a)
	rb, _ := json.Marshal(b)
	return string(ra) == string(rb)
}
