package service

import (
	"context"
	"errors"
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
	ev := s.event(gs.CampaignID, userID, gmc.ActionCreate, gmc.EntityTranscript, sessionID, nil, map[string]int{"segments": len(segs)})
	if err := s.store.AppendSegments(ctx, segs, ev); err != nil {
		return nil, err
	}
	s.live.Segments(ctx, gs, segs)
	return segs, nil
}

// TranscriptQuery selects a page of a session's transcript.
type TranscriptQuery struct {
	SessionID string
	// AfterSeq selects the segments with a larger seq.
	AfterSeq int64
	Limit    int
}

// Transcript pages through a session's transcript. Any member may read it;
// a speaker mapped to a character the caller may not see shows without it.
func (s *Service) Transcript(ctx context.Context, userID string, q TranscriptQuery) ([]*gmc.TranscriptSegment, bool, error) {
	_, role, err := s.Session(ctx, userID, q.SessionID)
	if err != nil {
		return nil, false, err
	}
	segs, more, err := s.store.Segments(ctx, store.SegmentFilter{SessionID: q.SessionID, AfterSeq: q.AfterSeq, Limit: q.Limit})
	if err != nil {
		return nil, false, err
	}
	var mapped []*gmc.Speaker
	for _, seg := range segs {
		if seg.Speaker != nil {
			mapped = append(mapped, seg.Speaker)
		}
	}
	return segs, more, s.hideSpeakerCharacters(ctx, role, mapped)
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
	ev := s.event(gs.CampaignID, userID, gmc.ActionUpdate, gmc.EntitySpeakers, sessionID, nil, speakers)
	if err := s.store.SetSpeakers(ctx, sessionID, speakers, ev); err != nil {
		return nil, err
	}
	return s.store.Speakers(ctx, sessionID)
}

// Speakers returns a session's speaker mapping; a speaker mapped to a
// character the caller may not see shows without it.
func (s *Service) Speakers(ctx context.Context, userID, sessionID string) ([]gmc.Speaker, error) {
	_, role, err := s.Session(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	speakers, err := s.store.Speakers(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	mapped := make([]*gmc.Speaker, len(speakers))
	for i := range speakers {
		mapped[i] = &speakers[i]
	}
	return speakers, s.hideSpeakerCharacters(ctx, role, mapped)
}

// hideSpeakerCharacters clears the character of each speaker that is one
// role may not see: a GM voicing a secret NPC must not reveal that it
// exists.
func (s *Service) hideSpeakerCharacters(ctx context.Context, role gmc.Role, speakers []*gmc.Speaker) error {
	if role == gmc.RoleGM {
		return nil
	}
	hidden := map[string]bool{}
	for _, sp := range speakers {
		if sp.CharacterID == nil {
			continue
		}
		id := *sp.CharacterID
		if _, seen := hidden[id]; !seen {
			c, err := s.store.Character(ctx, id)
			if err != nil && !errors.Is(err, gmc.ErrNotFound) {
				return err
			}
			hidden[id] = err != nil || c.Visibility != gmc.VisiblePlayers
		}
		if hidden[id] {
			sp.CharacterID = nil
		}
	}
	return nil
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
