package gmc

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Transcript limits.
const (
	MaxSegmentsPerBatch = 500
	MaxSegmentTextLen   = 10_000
	MaxSpeakerLabelLen  = 64
)

// TranscriptSegment is one stretch of speech at the table, from whatever
// recogniser heard it. Seq numbers a session's segments from 1 in the
// order they were stored.
type TranscriptSegment struct {
	ID           string    `json:"id"`
	SessionID    string    `json:"session_id"`
	Seq          int64     `json:"seq"`
	SpeakerLabel string    `json:"speaker_label"`
	StartMS      int64     `json:"start_ms"`
	EndMS        int64     `json:"end_ms"`
	Text         string    `json:"text"`
	Source       string    `json:"source,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	// Speaker is who the label maps to when the GM has said so.
	Speaker *Speaker `json:"speaker,omitempty"`
	// Alternatives are the recogniser's other readings of the audio the
	// segment came from (n-best), for keyword detection at ingestion;
	// neither stored nor sent.
	Alternatives []string `json:"-"`
}

// Validate checks segment i of a batch.
func (s *TranscriptSegment) Validate(v *Validator, i int) {
	loc := fmt.Sprintf("body.segments[%d]", i)
	v.Check(s.StartMS >= 0, loc+".start_ms", "must not be negative")
	v.Check(s.EndMS >= s.StartMS, loc+".end_ms", "must not be before start_ms")
	v.Check(utf8.RuneCountInString(s.Text) <= MaxSegmentTextLen, loc+".text", "must be at most 10000 characters")
	v.Check(utf8.RuneCountInString(s.SpeakerLabel) <= MaxSpeakerLabelLen, loc+".speaker_label", "must be at most 64 characters")
	v.Check(len(s.Source) <= MaxSpeakerLabelLen, loc+".source", "must be at most 64 characters")
}

// Speaker maps a diarization label of a session to a member and/or a
// character.
type Speaker struct {
	Label       string  `json:"label"`
	UserID      *string `json:"user_id"`
	CharacterID *string `json:"character_id"`
}
