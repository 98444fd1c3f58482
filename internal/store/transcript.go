package store

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// SegmentFilter pages through a session's transcript by seq.
type SegmentFilter struct {
	SessionID string
	// AfterSeq returns segments with a larger seq.
	AfterSeq int64
	Limit    int
}

// TranscriptStore keeps what was said in a session and who said it.
type TranscriptStore interface {
	// AppendSegments stores segs (ID, SessionID, text and times set) after
	// the session's last segment, setting each Seq. ErrNotFound for an
	// unknown session. ev (entity "transcript") is logged once per batch.
	AppendSegments(ctx context.Context, segs []*gmc.TranscriptSegment, ev *gmc.Event) error
	// Segments lists segments in seq order with their mapped speakers, and
	// whether more follow.
	Segments(ctx context.Context, f SegmentFilter) ([]*gmc.TranscriptSegment, bool, error)
	// SetSpeakers replaces a session's speaker mapping.
	SetSpeakers(ctx context.Context, sessionID string, speakers []gmc.Speaker, ev *gmc.Event) error
	// Speakers returns a session's speaker mapping ordered by label.
	Speakers(ctx context.Context, sessionID string) ([]gmc.Speaker, error)
}
