package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func segments(t testing.TB, sessionID string, labels ...string) []*gmc.TranscriptSegment {
	out := make([]*gmc.TranscriptSegment, len(labels))
	for i, l := range labels {
		out[i] = &gmc.TranscriptSegment{ID: newID(t), SessionID: sessionID, SpeakerLabel: l, StartMS: int64(i * 1000), EndMS: int64(i*1000 + 900),
			Text: fmt.Sprintf("line %d", i), Source: "test", CreatedAt: now()}
	}
	return out
}

func testTranscript(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (store.Store, *gmc.User, *gmc.Campaign, *gmc.GameSession) {
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		return s, gm, c, mustCreateSession(t, s, c, "1")
	}
	ev := func(t *testing.T, c *gmc.Campaign, gs *gmc.GameSession) *gmc.Event {
		return newEvent(t, c.ID, c.CreatedBy, gmc.ActionCreate, "transcript", gs.ID, nil)
	}
	t.Run("AppendAssignsSeqAndPages", func(t *testing.T) {
		t.Parallel()
		s, _, c, gs := setup(t)
		first := segments(t, gs.ID, "A", "B", "A")
		wantErr(t, "AppendSegments", s.AppendSegments(ctx, first, ev(t, c, gs)), nil)
		second := segments(t, gs.ID, "C", "A")
		wantErr(t, "AppendSegments(2)", s.AppendSegments(ctx, second, ev(t, c, gs)), nil)
		if first[0].Seq != 1 || first[2].Seq != 3 || second[0].Seq != 4 || second[1].Seq != 5 {
			t.Errorf("seqs = %d %d %d %d", first[0].Seq, first[2].Seq, second[0].Seq, second[1].Seq)
		}
		page, more, err := s.Segments(ctx, store.SegmentFilter{SessionID: gs.ID, Limit: 2})
		wantErr(t, "Segments", err, nil)
		if len(page) != 2 || !more || page[0].Text != "line 0" || page[1].SpeakerLabel != "B" {
			t.Errorf("first page = %+v more=%v", page, more)
		}
		rest, more, _ := s.Segments(ctx, store.SegmentFilter{SessionID: gs.ID, AfterSeq: 2, Limit: 10})
		if len(rest) != 3 || more || rest[0].Seq != 3 {
			t.Errorf("rest = %d more=%v", len(rest), more)
		}
	})
	t.Run("UnknownSession", func(t *testing.T) {
		t.Parallel()
		s, _, c, gs := setup(t)
		err := s.AppendSegments(ctx, segments(t, newID(t), "A"), ev(t, c, gs))
		wantErr(t, "AppendSegments(unknown session)", err, gmc.ErrNotFound)
		err = s.SetSpeakers(ctx, newID(t), nil, ev(t, c, gs))
		wantErr(t, "SetSpeakers(unknown session)", err, gmc.ErrNotFound)
	})
	t.Run("SpeakersMapLabels", func(t *testing.T) {
		t.Parallel()
		s, gm, c, gs := setup(t)
		if err := s.AppendSegments(ctx, segments(t, gs.ID, "spk_1", "spk_0"), ev(t, c, gs)); err != nil {
			t.Fatal(err)
		}
		char := newID(t)
		speakers := []gmc.Speaker{{Label: "spk_1", UserID: &gm.ID, CharacterID: &char}, {Label: "spk_0"}}
		wantErr(t, "SetSpeakers", s.SetSpeakers(ctx, gs.ID, speakers, ev(t, c, gs)), nil)
		got, err := s.Speakers(ctx, gs.ID)
		wantErr(t, "Speakers", err, nil)
		if len(got) != 2 || got[0].Label != "spk_0" || got[1].UserID == nil || *got[1].UserID != gm.ID || *got[1].CharacterID != char {
			t.Errorf("Speakers = %+v", got)
		}
		segs, _, _ := s.Segments(ctx, store.SegmentFilter{SessionID: gs.ID})
		if segs[0].Speaker == nil || segs[0].Speaker.UserID == nil || *segs[0].Speaker.UserID != gm.ID {
			t.Errorf("segment speaker = %+v", segs[0].Speaker)
		}
		wantErr(t, "SetSpeakers(replace)", s.SetSpeakers(ctx, gs.ID, []gmc.Speaker{{Label: "spk_0", UserID: &gm.ID}}, ev(t, c, gs)), nil)
		got, _ = s.Speakers(ctx, gs.ID)
		if len(got) != 1 {
			t.Errorf("after replace Speakers = %+v", got)
		}
		segs, _, _ = s.Segments(ctx, store.SegmentFilter{SessionID: gs.ID})
		if segs[0].Speaker != nil {
			t.Errorf("unmapped label still mapped: %+v", segs[0].Speaker)
		}
	})
}
