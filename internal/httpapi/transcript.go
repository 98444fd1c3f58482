package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

type segmentBody struct {
	SpeakerLabel string `json:"speaker_label,omitempty" maxLength:"64" example:"SPEAKER_00"`
	StartMS      int64  `json:"start_ms" minimum:"0"`
	EndMS        int64  `json:"end_ms" minimum:"0"`
	Text         string `json:"text" maxLength:"10000" example:"I cast fireball at the goblins"`
	Source       string `json:"source,omitempty" maxLength:"64" example:"whisper"`
}

type segmentsIngestInput struct {
	SessionPath
	Body struct {
		Segments []segmentBody `json:"segments" minItems:"1" maxItems:"500"`
	}
}

// SegmentsOutput answers with the stored transcript segments.
type SegmentsOutput struct {
	Body struct {
		Items []*gmc.TranscriptSegment `json:"items"`
	}
}

func (a *api) handleSegmentsIngest(ctx context.Context, uid string, in *segmentsIngestInput) (*SegmentsOutput, error) {
	segs := make([]*gmc.TranscriptSegment, len(in.Body.Segments))
	for i, s := range in.Body.Segments {
		segs[i] = &gmc.TranscriptSegment{SpeakerLabel: s.SpeakerLabel, StartMS: s.StartMS, EndMS: s.EndMS, Text: s.Text, Source: s.Source}
	}
	stored, err := a.svc.IngestSegments(ctx, uid, in.SessionID, segs)
	if err != nil {
		return nil, err
	}
	out := &SegmentsOutput{}
	out.Body.Items = stored
	return out, nil
}

type transcriptInput struct {
	SessionPath
	AfterSeq int64 `query:"after_seq" minimum:"0" doc:"Only segments after this seq (the next page: the last seq you have)"`
	Limit    int   `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

// TranscriptOutput answers with a page of a session's transcript.
type TranscriptOutput struct {
	Body struct {
		Items []*gmc.TranscriptSegment `json:"items"`
		// NextAfterSeq is the after_seq of the next page, 0 when this is the last.
		NextAfterSeq int64 `json:"next_after_seq"`
	}
}

func (a *api) handleTranscriptGet(ctx context.Context, uid string, in *transcriptInput) (*TranscriptOutput, error) {
	segs, more, err := a.svc.Transcript(ctx, uid, service.TranscriptQuery{SessionID: in.SessionID, AfterSeq: in.AfterSeq, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	out := &TranscriptOutput{}
	out.Body.Items = segs
	if out.Body.Items == nil {
		out.Body.Items = []*gmc.TranscriptSegment{}
	}
	if more {
		out.Body.NextAfterSeq = segs[len(segs)-1].Seq
	}
	return out, nil
}

// SpeakersOutput answers with a session's speaker mapping.
type SpeakersOutput struct {
	Body struct {
		Speakers []gmc.Speaker `json:"speakers"`
	}
}

func speakersOut(sp []gmc.Speaker) *SpeakersOutput {
	out := &SpeakersOutput{}
	out.Body.Speakers = sp
	return out
}

func (a *api) handleSpeakersGet(ctx context.Context, uid string, in *SessionPath) (*SpeakersOutput, error) {
	sp, err := a.svc.Speakers(ctx, uid, in.SessionID)
	if err != nil {
		return nil, err
	}
	return speakersOut(sp), nil
}

type speakerBody struct {
	Label       string  `json:"label" maxLength:"64" example:"SPEAKER_00"`
	UserID      *string `json:"user_id,omitempty" format:"uuid"`
	CharacterID *string `json:"character_id,omitempty" format:"uuid"`
}

type speakersPutInput struct {
	SessionPath
	Body struct {
		Speakers []speakerBody `json:"speakers" maxItems:"100"`
	}
}

func (a *api) handleSpeakersPut(ctx context.Context, uid string, in *speakersPutInput) (*SpeakersOutput, error) {
	speakers := make([]gmc.Speaker, len(in.Body.Speakers))
	for i, s := range in.Body.Speakers {
		speakers[i] = gmc.Speaker{Label: s.Label, UserID: s.UserID, CharacterID: s.CharacterID}
	}
	sp, err := a.svc.SetSpeakers(ctx, uid, in.SessionID, speakers)
	if err != nil {
		return nil, err
	}
	return speakersOut(sp), nil
}
