package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func testRetention(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	cutoff := now().Add(-90 * 24 * time.Hour)
	old, recent := cutoff.Add(-time.Hour), cutoff.Add(time.Hour)
	setup := func(t *testing.T) (store.Store, *gmc.User, *gmc.Campaign, *gmc.GameSession) {
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		return s, gm, c, mustCreateSession(t, s, c, "1")
	}
	t.Run("Recordings", func(t *testing.T) {
		t.Parallel()
		s, _, c, gs := setup(t)
		var want []string
		for i, at := range []time.Time{old.Add(-time.Minute), old, recent, cutoff} {
			r := newRecording(t, c, gs, nil)
			r.CreatedAt = at
			mustCreateRecording(t, s, r)
			if i < 2 {
				want = append(want, r.ID)
			}
		}
		got, err := s.RecordingsCreatedBefore(ctx, cutoff, 10)
		wantErr(t, "RecordingsCreatedBefore", err, nil)
		if ids := recordingIDs(got); !equalStrings(ids, want) {
			t.Errorf("RecordingsCreatedBefore = %v, want the two older ones oldest first %v", ids, want)
		}
		got, err = s.RecordingsCreatedBefore(ctx, cutoff, 1)
		wantErr(t, "RecordingsCreatedBefore(limit 1)", err, nil)
		if ids := recordingIDs(got); !equalStrings(ids, want[:1]) {
			t.Errorf("RecordingsCreatedBefore(limit 1) = %v, want %v", ids, want[:1])
		}
	})
	t.Run("Segments", func(t *testing.T) {
		t.Parallel()
		s, gm, c, gs := setup(t)
		segs := segments(t, gs.ID, "A", "B", "C", "D")
		segs[0].CreatedAt, segs[1].CreatedAt, segs[2].CreatedAt = old.Add(-time.Minute), old, recent
		wantErr(t, "AppendSegments", s.AppendSegments(ctx, segs, newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "transcript", gs.ID, nil)), nil)

		n, err := s.DeleteSegmentsBefore(ctx, cutoff, 1)
		wantErr(t, "DeleteSegmentsBefore(limit 1)", err, nil)
		if n != 1 {
			t.Errorf("DeleteSegmentsBefore(limit 1) = %d, want 1", n)
		}
		n, err = s.DeleteSegmentsBefore(ctx, cutoff, 10)
		wantErr(t, "DeleteSegmentsBefore", err, nil)
		if n != 1 {
			t.Errorf("DeleteSegmentsBefore = %d, want the 1 old segment left", n)
		}
		left, _, err := s.Segments(ctx, store.SegmentFilter{SessionID: gs.ID, Limit: 10})
		wantErr(t, "Segments", err, nil)
		if len(left) != 2 || left[0].ID != segs[2].ID || left[1].ID != segs[3].ID {
			t.Errorf("segments left = %d, want the 2 recent ones", len(left))
		}
		n, err = s.DeleteSegmentsBefore(ctx, cutoff, 10)
		wantErr(t, "DeleteSegmentsBefore(again)", err, nil)
		if n != 0 {
			t.Errorf("DeleteSegmentsBefore(again) = %d, want 0", n)
		}
	})
	t.Run("Events", func(t *testing.T) {
		t.Parallel()
		s, gm, c, _ := setup(t)
		// Every write logs an event; sessions written with old events give
		// the log its past.
		for _, at := range []time.Time{old.Add(-time.Minute), old, recent} {
			gs := &gmc.GameSession{ID: newID(t), CampaignID: c.ID, Title: "S", Status: gmc.SessionScheduled, CreatedAt: at, UpdatedAt: at}
			ev := newEvent(t, c.ID, gm.ID, gmc.ActionCreate, "session", gs.ID, nil)
			ev.At = at
			wantErr(t, "CreateSession", s.CreateSession(ctx, gs, ev), nil)
		}
		before, _, err := s.Events(ctx, store.EventFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 100}})
		wantErr(t, "Events", err, nil)
		n, err := s.DeleteEventsBefore(ctx, cutoff, 10)
		wantErr(t, "DeleteEventsBefore", err, nil)
		if n != 2 {
			t.Errorf("DeleteEventsBefore = %d, want 2", n)
		}
		after, _, err := s.Events(ctx, store.EventFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 100}})
		wantErr(t, "Events", err, nil)
		if len(after) != len(before)-2 {
			t.Errorf("events left = %d, want %d", len(after), len(before)-2)
		}
		for _, ev := range after {
			if ev.At.Before(cutoff) {
				t.Errorf("event %s at %v outlived the cutoff %v", ev.ID, ev.At, cutoff)
			}
		}
	})
}

func recordingIDs(rs []*gmc.Recording) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
