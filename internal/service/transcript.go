package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// IngestSegments stores text segments from an outside recogniser and shows
// them live. GM only: the recogniser runs on the GM's behalf.
func (s *Service) IngestSegments(ctx context.Context, userID, sessionID string, segs []*gmc.TranscriptSegment) ([]*gmc.TranscriptSegment, error) {
	gs, err := s.gmSession(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	var v gmc.Validator
	v.Check(len(segs) > 0, "body.segments", "must not be empty")
	v.Check(len(segs) <= gmc.MaxSegmentsPerBatch, "body.segments", fmt.Sprintf("must hold at most %d segments", gmc.MaxSegmentsPerBatch))
	now := s.clock()
	for i, seg := range segs {
		seg.Validate(&v, i)
		seg.ID, seg.SessionID, seg.CreatedAt = s.newID(), sessionID, now
		seg.Text = strings.TrimSpace(seg.Text)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	ev := s.event(gs.CampaignID, userID, gmc.ActionCreate, "transcript", sessionID, nil, map[string]int{"segments": len(segs)})
	if err := s.store.AppendSegments(ctx, segs, ev); err != nil {
		return nil, err
	}
	for _, seg := range segs {
		s.publish(ctx, sessionID, LiveMessage{Type: "transcript.segment", Data: seg})
	}
	s.detectKeywords(ctx, gs, segs)
	return segs, nil
}

// TranscriptQuery selects a page of a session's transcript.
type TranscriptQuery struct {
	SessionID string
	// AfterSeq selects the segments with a larger seq.
	AfterSeq int64
	Limit    int
}

// Transcript pages through a session's transcript. Any member may read it.
func (s *Service) Transcript(ctx context.Context, userID string, q TranscriptQuery) ([]*gmc.TranscriptSegment, bool, error) {
	if _, _, err := s.Session(ctx, userID, q.SessionID); err != nil {
		return nil, false, err
	}
	return s.store.Segments(ctx, store.SegmentFilter{SessionID: q.SessionID, AfterSeq: q.AfterSeq, Limit: q.Limit})
}

// SetSpeakers maps a session's diarization labels to members and
// characters. GM only; every user must be a member of the campaign.
func (s *Service) SetSpeakers(ctx context.Context, userID, sessionID string, speakers []gmc.Speaker) ([]gmc.Speaker, error) {
	gs, err := s.gmSession(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	var v gmc.Validator
	seen := map[string]bool{}
	for i, sp := range speakers {
		loc := fmt.Sprintf("body.speakers[%d]", i)
		sp.Label = strings.TrimSpace(sp.Label)
		speakers[i] = sp
		switch {
		case sp.Label == "" || len(sp.Label) > gmc.MaxSpeakerLabelLen:
			v.Add(loc+".label", "must be 1 to 64 characters")
		case seen[sp.Label]:
			v.Add(loc+".label", "appears twice")
		}
		seen[sp.Label] = true
		if sp.UserID != nil {
			if _, err := s.store.Member(ctx, gs.CampaignID, *sp.UserID); err != nil {
				v.Add(loc+".user_id", "must be a member of the campaign")
			}
		}
		if sp.CharacterID != nil {
			if err := s.checkCampaignCharacter(ctx, gs.CampaignID, *sp.CharacterID); err != nil {
				v.Add(loc+".character_id", "must be a character of the campaign")
			}
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	ev := s.event(gs.CampaignID, userID, gmc.ActionUpdate, "speakers", sessionID, nil, speakers)
	if err := s.store.SetSpeakers(ctx, sessionID, speakers, ev); err != nil {
		return nil, err
	}
	return s.store.Speakers(ctx, sessionID)
}

// Speakers returns a session's speaker mapping.
func (s *Service) Speakers(ctx context.Context, userID, sessionID string) ([]gmc.Speaker, error) {
	if _, _, err := s.Session(ctx, userID, sessionID); err != nil {
		return nil, err
	}
	return s.store.Speakers(ctx, sessionID)
}

// gmSession loads a session the caller is a GM of.
func (s *Service) gmSession(ctx context.Context, userID, sessionID string) (*gmc.GameSession, error) {
	gs, role, err := s.Session(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	if role != gmc.RoleGM {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "this needs the gm role in the campaign; you are %s", role)
	}
	return gs, nil
}
