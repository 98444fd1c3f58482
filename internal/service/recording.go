package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gmc-project/gmc/internal/blob"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// RecordingParams describe an uploaded recording; its content is read
// from the reader CreateRecording is given.
type RecordingParams struct {
	FileName    string
	ContentType string
	// SizeBytes is the content's length, or -1 when unknown.
	SizeBytes  int64
	DurationMS int64
	Tracks     int
}

// purgeBatch is how many expired recordings one store read returns.
const purgeBatch = 100

// errNoBlobs refuses recordings on a Service built without a file store.
var errNoBlobs = errors.New("service: no file store configured for recordings")

// CreateRecording stores an uploaded recording of a session: its content
// in the file store, then its row. GM only. The campaign's settings
// decide when it is deleted (gmc.CampaignSettings.RecordingDeleteAfter).
// When the row cannot be written the blob is removed again, so a failed
// upload leaves nothing behind.
func (s *Service) CreateRecording(ctx context.Context, userID, sessionID string, p RecordingParams, content io.Reader) (*gmc.Recording, error) {
	if s.blobs == nil {
		return nil, errNoBlobs
	}
	gs, err := s.gmSession(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Campaign(ctx, gs.CampaignID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	id := s.newID()
	r := &gmc.Recording{ID: id, CampaignID: gs.CampaignID, SessionID: gs.ID, BlobKey: recordingKey(gs.CampaignID, gs.ID, id),
		FileName: p.FileName, ContentType: p.ContentType, SizeBytes: max(p.SizeBytes, 0), DurationMS: p.DurationMS, Tracks: p.Tracks,
		Status: gmc.RecordingStored, CreatedBy: userID, CreatedAt: now, DeleteAfter: c.Settings.RecordingDeleteAfter(now)}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	info, err := s.blobs.Put(ctx, r.BlobKey, content, p.SizeBytes, p.ContentType)
	switch {
	case errors.Is(err, blob.ErrTooLarge):
		return nil, gmc.Errorf(gmc.ErrTooLarge, "recording_too_large", "the recording is larger than this server accepts")
	case errors.Is(err, blob.ErrSizeMismatch):
		return nil, gmc.Invalid("size_bytes", "is not the length of the content sent")
	case err != nil:
		return nil, fmt.Errorf("store recording %s: %w", r.ID, err)
	}
	r.SizeBytes = info.Size
	if err := s.store.CreateRecording(ctx, r, s.event(r.CampaignID, userID, gmc.ActionCreate, gmc.EntityRecording, r.ID, nil, r)); err != nil {
		// The blob must not outlive a row that was never written; the
		// request's ctx may be what failed.
		if derr := s.blobs.Delete(context.WithoutCancel(ctx), r.BlobKey); derr != nil {
			s.log.Error("recording blob left behind", "blob_key", r.BlobKey, "error", derr)
		}
		return nil, err
	}
	return r, nil
}

// recordingKey is where a recording's audio is kept: grouped by campaign
// and session, so that an operator can find them.
func recordingKey(campaignID, sessionID, id string) string {
	return "recordings/" + campaignID + "/" + sessionID + "/" + id
}

// Recordings lists a session's recordings. GM only.
func (s *Service) Recordings(ctx context.Context, userID, sessionID string) ([]*gmc.Recording, error) {
	gs, err := s.gmSession(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Recordings(ctx, gs.ID)
	if list == nil {
		list = []*gmc.Recording{}
	}
	return list, err
}

// Recording returns one recording. GM only; a recording of a campaign the
// caller is not a member of is not found.
func (s *Service) Recording(ctx context.Context, userID, recordingID string) (*gmc.Recording, error) {
	r, err := s.store.Recording(ctx, recordingID)
	if err != nil {
		return nil, notFound(err, gmc.EntityRecording)
	}
	if _, err := s.access(ctx, r.CampaignID, userID, gmc.RoleGM); err != nil {
		if errors.Is(err, gmc.ErrNotFound) {
			return nil, notFound(err, gmc.EntityRecording)
		}
		return nil, err
	}
	return r, nil
}

// OpenRecording returns a recording with its audio, which the caller
// closes. GM only.
func (s *Service) OpenRecording(ctx context.Context, userID, recordingID string) (*gmc.Recording, io.ReadCloser, error) {
	if s.blobs == nil {
		return nil, nil, errNoBlobs
	}
	r, err := s.Recording(ctx, userID, recordingID)
	if err != nil {
		return nil, nil, err
	}
	rc, _, err := s.blobs.Open(ctx, r.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		// Removed from the file store behind the server's back.
		return nil, nil, gmc.Errorf(gmc.ErrNotFound, "recording_not_found", "recording not found")
	} else if err != nil {
		return nil, nil, fmt.Errorf("open recording %s: %w", r.ID, err)
	}
	return r, rc, nil
}

// DeleteRecording deletes a recording with its audio. GM only.
func (s *Service) DeleteRecording(ctx context.Context, userID, recordingID string) error {
	if s.blobs == nil {
		return errNoBlobs
	}
	r, err := s.Recording(ctx, userID, recordingID)
	if err != nil {
		return err
	}
	return s.deleteRecording(ctx, r, s.event(r.CampaignID, userID, gmc.ActionDelete, gmc.EntityRecording, r.ID, r, nil))
}

// deleteRecording removes the row, which records its blob key among the
// orphaned blobs in the same transaction, then the blob, then that
// record. Whatever fails or stops after the row is gone, the purge
// finishes; so a blob is never left with nothing leading to it, and a
// row never leads to a missing blob. A row already gone (a concurrent
// deletion) is the state wanted.
func (s *Service) deleteRecording(ctx context.Context, r *gmc.Recording, ev *gmc.Event) error {
	if err := s.store.DeleteRecording(ctx, r.ID, ev); err != nil && !errors.Is(err, gmc.ErrNotFound) {
		return err
	}
	if err := s.deleteOrphan(ctx, r.BlobKey); err != nil {
		s.log.Warn("recording audio left for the purge", "recording_id", r.ID, "error", err)
	}
	return nil
}

// deleteOrphan deletes the blob of a deleted recording or file, unless
// a row refers to it (files of the same content share it), and forgets
// it. The check and the deletion hold the key's lock exclusive
// (store.LockBlob), which an upload holds, shared, from its check that
// the blob is there to its row's commit: the blob is deleted before
// that check, which then fails and the upload writes it again, or the
// row is seen. When the deletion fails, the transaction rolls back and
// the key stays for the next purge.
func (s *Service) deleteOrphan(ctx context.Context, key string) error {
	return s.store.InTx(ctx, func(tx store.Store) error {
		if err := tx.LockBlob(ctx, key, true); err != nil {
			return err
		}
		if err := tx.ForgetOrphanedBlob(ctx, key); err != nil {
			return err
		}
		if used, err := tx.BlobReferenced(ctx, key); err != nil || used {
			return err
		}
		if err := s.blobs.Delete(ctx, key); err != nil {
			return fmt.Errorf("delete blob %s: %w", key, err)
		}
		return nil
	})
}

// FinishRecording records the outcome of a recording's transcription
// (used by the transcription job; no caller check). A transcribed
// recording of a campaign that does not keep recordings is deleted at
// once; a failed one stays, for the GM to retry or download.
func (s *Service) FinishRecording(ctx context.Context, recordingID string, transcribed bool) error {
	if s.blobs == nil {
		return errNoBlobs
	}
	r, err := s.store.Recording(ctx, recordingID)
	if err != nil {
		return notFound(err, gmc.EntityRecording)
	}
	if !transcribed {
		return s.store.SetRecordingStatus(ctx, r.ID, gmc.RecordingFailed)
	}
	c, err := s.store.Campaign(ctx, r.CampaignID)
	if err != nil {
		return err
	}
	if !c.Settings.KeepRecordings {
		return s.deleteRecording(ctx, r, nil)
	}
	return s.store.SetRecordingStatus(ctx, r.ID, gmc.RecordingTranscribed)
}

// PurgeExpiredRecordings deletes every recording whose delete_after is at
// or before now, then the blobs of every deleted recording or file still
// stored (whatever deleted the row: its session or campaign, say), and returns
// how many recordings it deleted. It is idempotent and safe to run on
// several instances at once. It stops at the first blob it cannot
// delete, which the next run tries again.
func (s *Service) PurgeExpiredRecordings(ctx context.Context, now time.Time) (int, error) {
	if s.blobs == nil {
		return 0, nil
	}
	n := 0
	for {
		batch, err := s.store.ExpiredRecordings(ctx, now, purgeBatch)
		if err != nil {
			return n, err
		}
		for _, r := range batch {
			if err := s.store.DeleteRecording(ctx, r.ID, nil); err != nil && !errors.Is(err, gmc.ErrNotFound) {
				return n, err
			}
			n++
		}
		if len(batch) < purgeBatch {
			break
		}
	}
	return n, s.sweepOrphanedBlobs(ctx)
}

// sweepOrphanedBlobs deletes the blobs of deleted recordings.
func (s *Service) sweepOrphanedBlobs(ctx context.Context) error {
	for {
		keys, err := s.store.OrphanedBlobs(ctx, purgeBatch)
		if err != nil {
			return err
		}
		for _, key := range keys {
			if err := s.deleteOrphan(ctx, key); err != nil {
				return err
			}
		}
		if len(keys) < purgeBatch {
			return nil
		}
	}
}
