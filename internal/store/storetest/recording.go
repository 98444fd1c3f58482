package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func newRecording(t testing.TB, c *gmc.Campaign, gs *gmc.GameSession, deleteAfter *time.Time) *gmc.Recording {
	t.Helper()
	id := newID(t)
	return &gmc.Recording{ID: id, CampaignID: c.ID, SessionID: gs.ID, BlobKey: "recordings/" + id, FileName: "table.flac",
		ContentType: "audio/flac", SizeBytes: 1234, DurationMS: 60_000, Tracks: 2, Status: gmc.RecordingStored,
		CreatedBy: c.CreatedBy, CreatedAt: now(), DeleteAfter: deleteAfter}
}

func mustCreateRecording(t testing.TB, s store.Store, r *gmc.Recording) {
	t.Helper()
	if err := s.CreateRecording(context.Background(), r, newEvent(t, r.CampaignID, r.CreatedBy, gmc.ActionCreate, gmc.EntityRecording, r.ID, r)); err != nil {
		t.Fatalf("CreateRecording = %v", err)
	}
}

func testRecording(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("CreateGetListDelete", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		gs := mustCreateSession(t, s, c, "S1")
		other := mustCreateSession(t, s, c, "S2")
		due := now().Add(24 * time.Hour)
		a, b := newRecording(t, c, gs, &due), newRecording(t, c, gs, nil)
		mustCreateRecording(t, s, a)
		mustCreateRecording(t, s, b)
		mustCreateRecording(t, s, newRecording(t, c, other, nil))

		got, err := s.Recording(ctx, a.ID)
		wantErr(t, "Recording", err, nil)
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("Recording (-want +got):\n%s", diff)
		}
		list, err := s.Recordings(ctx, gs.ID)
		wantErr(t, "Recordings", err, nil)
		if diff := cmp.Diff([]*gmc.Recording{a, b}, list); diff != "" {
			t.Errorf("Recordings (-want +got):\n%s", diff)
		}

		wantErr(t, "DeleteRecording", s.DeleteRecording(ctx, a.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntityRecording, a.ID, nil)), nil)
		_, err = s.Recording(ctx, a.ID)
		wantErr(t, "Recording(deleted)", err, gmc.ErrNotFound)
		wantErr(t, "DeleteRecording again", s.DeleteRecording(ctx, a.ID, nil), gmc.ErrNotFound)
		wantErr(t, "DeleteRecording without event", s.DeleteRecording(ctx, b.ID, nil), nil)
		if list, _ := s.Recordings(ctx, gs.ID); len(list) != 0 {
			t.Errorf("Recordings after deletes = %d, want 0", len(list))
		}
	})
	t.Run("Refusals", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		d := mustCreateCampaign(t, s, gm, "D")
		gs := mustCreateSession(t, s, c, "S1")
		ev := func(r *gmc.Recording) *gmc.Event {
			return newEvent(t, r.CampaignID, gm.ID, gmc.ActionCreate, gmc.EntityRecording, r.ID, nil)
		}
		r := newRecording(t, c, gs, nil)
		mustCreateRecording(t, s, r)

		dup := newRecording(t, c, gs, nil)
		dup.BlobKey = r.BlobKey
		wantErr(t, "CreateRecording(same blob key)", s.CreateRecording(ctx, dup, ev(dup)), gmc.ErrConflict)
		cross := newRecording(t, d, gs, nil)
		wantErr(t, "CreateRecording(session of another campaign)", s.CreateRecording(ctx, cross, ev(cross)), gmc.ErrNotFound)
		missing := newRecording(t, c, &gmc.GameSession{ID: newID(t)}, nil)
		wantErr(t, "CreateRecording(no session)", s.CreateRecording(ctx, missing, ev(missing)), gmc.ErrNotFound)
		for _, id := range []string{newID(t), "not-an-id"} {
			_, err := s.Recording(ctx, id)
			wantErr(t, "Recording("+id+")", err, gmc.ErrNotFound)
			wantErr(t, "DeleteRecording("+id+")", s.DeleteRecording(ctx, id, nil), gmc.ErrNotFound)
			list, err := s.Recordings(ctx, id)
			wantErr(t, "Recordings("+id+")", err, nil)
			if len(list) != 0 {
				t.Errorf("Recordings(%s) = %d, want 0", id, len(list))
			}
		}
		if list, _ := s.Recordings(ctx, gs.ID); len(list) != 1 {
			t.Errorf("Recordings = %d after refused creates, want 1", len(list))
		}
	})
	t.Run("Expired", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		gs := mustCreateSession(t, s, c, "S1")
		at := now()
		ago := func(d time.Duration) *time.Time { t := at.Add(-d); return &t }
		older, old, exact := newRecording(t, c, gs, ago(48*time.Hour)), newRecording(t, c, gs, ago(time.Hour)), newRecording(t, c, gs, ago(0))
		// Created first so that id order differs from due order.
		mustCreateRecording(t, s, old)
		mustCreateRecording(t, s, exact)
		mustCreateRecording(t, s, older)
		mustCreateRecording(t, s, newRecording(t, c, gs, ago(-time.Microsecond)))
		mustCreateRecording(t, s, newRecording(t, c, gs, nil))

		tests := []struct {
			limit int
			want  []string
		}{
			{10, []string{older.ID, old.ID, exact.ID}},
			{2, []string{older.ID, old.ID}},
		}
		for _, tc := range tests {
			got, err := s.ExpiredRecordings(ctx, at, tc.limit)
			wantErr(t, "ExpiredRecordings", err, nil)
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if diff := cmp.Diff(tc.want, ids); diff != "" {
				t.Errorf("ExpiredRecordings(limit %d) (-want +got):\n%s", tc.limit, diff)
			}
		}
	})
	t.Run("Status", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		r := newRecording(t, c, mustCreateSession(t, s, c, "S1"), nil)
		mustCreateRecording(t, s, r)
		wantErr(t, "SetRecordingStatus", s.SetRecordingStatus(ctx, r.ID, gmc.RecordingTranscribed), nil)
		if got, _ := s.Recording(ctx, r.ID); got == nil || got.Status != gmc.RecordingTranscribed {
			t.Errorf("status after SetRecordingStatus = %+v, want transcribed", got)
		}
		wantErr(t, "SetRecordingStatus(unknown)", s.SetRecordingStatus(ctx, newID(t), gmc.RecordingFailed), gmc.ErrNotFound)
	})
	// OrphanedBlobs: however a recording row goes, its blob key is kept
	// until forgotten; a deletion that rolls back leaves none.
	t.Run("OrphanedBlobs", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		d := mustCreateCampaign(t, s, gm, "D")
		s1, s2 := mustCreateSession(t, s, c, "S1"), mustCreateSession(t, s, c, "S2")
		byHand, withSession, withCampaign, kept := newRecording(t, c, s1, nil), newRecording(t, c, s2, nil), newRecording(t, d, mustCreateSession(t, s, d, "D1"), nil), newRecording(t, c, s1, nil)
		for _, r := range []*gmc.Recording{byHand, withSession, withCampaign, kept} {
			mustCreateRecording(t, s, r)
		}
		orphans := func() []string {
			t.Helper()
			keys, err := s.OrphanedBlobs(ctx, 100)
			wantErr(t, "OrphanedBlobs", err, nil)
			return keys
		}
		if got := orphans(); len(got) != 0 {
			t.Fatalf("OrphanedBlobs before any deletion = %v", got)
		}
		errUndo := errors.New("undo")
		err := s.InTx(ctx, func(tx store.Store) error {
			if err := tx.DeleteRecording(ctx, kept.ID, nil); err != nil {
				return err
			}
			return errUndo
		})
		wantErr(t, "rolled-back DeleteRecording", err, errUndo)
		if got := orphans(); len(got) != 0 {
			t.Fatalf("OrphanedBlobs after a rolled-back deletion = %v", got)
		}

		wantErr(t, "DeleteRecording", s.DeleteRecording(ctx, byHand.ID, nil), nil)
		wantErr(t, "DeleteSession", s.DeleteSession(ctx, s2.ID, newEvent(t, c.ID, gm.ID, gmc.ActionDelete, gmc.EntitySession, s2.ID, nil)), nil)
		wantErr(t, "DeleteCampaign", s.DeleteCampaign(ctx, d.ID), nil)
		want := []string{byHand.BlobKey, withSession.BlobKey, withCampaign.BlobKey}
		slices.Sort(want)
		if diff := cmp.Diff(want, orphans()); diff != "" {
			t.Errorf("OrphanedBlobs (-want +got):\n%s", diff)
		}
		if got, _ := s.OrphanedBlobs(ctx, 2); len(got) != 2 {
			t.Errorf("OrphanedBlobs(limit 2) = %d keys", len(got))
		}
		for i := range 2 { // forgetting twice is no error
			wantErr(t, fmt.Sprintf("ForgetOrphanedBlob #%d", i+1), s.ForgetOrphanedBlob(ctx, want[0]), nil)
		}
		if diff := cmp.Diff(want[1:], orphans()); diff != "" {
			t.Errorf("OrphanedBlobs after forgetting one (-want +got):\n%s", diff)
		}
		if _, err := s.Recording(ctx, withSession.ID); !errors.Is(err, gmc.ErrNotFound) {
			t.Errorf("recording of a deleted session: %v, want ErrNotFound", err)
		}
	})
}
