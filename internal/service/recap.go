package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Recap is a session's player-safe recap: text every member of its
// campaign may read, ready to be posted where the players are.
type Recap struct {
	Title  string
	Text   string
	Footer string
}

// RecapSource gives the player-safe recap of a session.
type RecapSource interface {
	Recap(ctx context.Context, gs *gmc.GameSession) (Recap, error)
}

// SummaryRecaps is the default RecapSource: the player recap of the
// session's summary (gmc.SessionSummary.ForPlayers: nothing only the GM
// may know), and Fallback for a session without a summary or whose
// summary has no player recap.
type SummaryRecaps struct {
	Store    store.Store
	Fallback RecapSource
}

// Recap builds the recap from the session's summary.
func (r SummaryRecaps) Recap(ctx context.Context, gs *gmc.GameSession) (Recap, error) {
	sum, err := r.Store.SessionSummary(ctx, gs.ID)
	if errors.Is(err, gmc.ErrNotFound) {
		return r.Fallback.Recap(ctx, gs)
	} else if err != nil {
		return Recap{}, err
	}
	players := sum.ForPlayers()
	var b strings.Builder
	for _, l := range players.PlayerRecap {
		line := printable(l.Text)
		if line == "" {
			continue
		}
		if sp := printable(l.Speaker); sp != "" {
			line = sp + ": " + line
		}
		b.WriteString(line + "\n")
	}
	if b.Len() == 0 {
		return r.Fallback.Recap(ctx, gs)
	}
	rc := recapHead(gs)
	rc.Text = strings.TrimSpace(rc.Text + b.String())
	return rc, nil
}

// recapHead is a recap's title and footer, and the start of its text: the
// day the session was played.
func recapHead(gs *gmc.GameSession) Recap {
	rc := Recap{Title: fmt.Sprintf("Session %d", gs.Number), Footer: "GameMaster's Companion · session " + fmt.Sprint(gs.Number)}
	if gs.Title != "" {
		rc.Title += ": " + gs.Title
	}
	if at := sessionDate(gs); at != "" {
		rc.Text = "Played " + at + ".\n\n"
	}
	return rc
}

// TranscriptRecaps is the recap of a session without a summary (one not
// ended yet, or whose summary job has not run): the session's number,
// title and date, and the opening of its transcript — which every member of the campaign may already read
// (GET /sessions/{id}/transcript), so nothing GM-only is posted. Speakers
// are named by their diarization labels only: the character a label is
// mapped to may be one the players must not know of.
type TranscriptRecaps struct {
	Store store.Store
	// MaxChars bounds the transcript excerpt; 0 is defaultRecapExcerpt.
	MaxChars int
}

// defaultRecapExcerpt keeps a recap to a few Discord messages.
const defaultRecapExcerpt = 12_000

// Recap builds the recap from what the session holds.
func (r TranscriptRecaps) Recap(ctx context.Context, gs *gmc.GameSession) (Recap, error) {
	limit := r.MaxChars
	if limit <= 0 {
		limit = defaultRecapExcerpt
	}
	rc := recapHead(gs)
	var b strings.Builder
	b.WriteString(rc.Text)
	b.WriteString("From the transcript:\n\n")
	n, after, cut := 0, int64(0), false
	for !cut {
		segs, more, err := r.Store.Segments(ctx, store.SegmentFilter{SessionID: gs.ID, AfterSeq: after, Limit: 200})
		if err != nil {
			return Recap{}, err
		}
		for _, seg := range segs {
			after = seg.Seq
			line := printable(seg.Text)
			if line == "" {
				continue
			}
			if label := printable(seg.SpeakerLabel); label != "" {
				line = label + ": " + line
			}
			if n+utf8.RuneCountInString(line) > limit {
				cut = true
				break
			}
			b.WriteString(line + "\n")
			n += utf8.RuneCountInString(line) + 1
		}
		if !more {
			break
		}
	}
	switch {
	case n == 0:
		rc.Text = strings.TrimSpace(strings.TrimSuffix(b.String(), "From the transcript:\n\n")) + "\n\nNo transcript was recorded."
	case cut:
		rc.Text = b.String() + "…"
	default:
		rc.Text = b.String()
	}
	rc.Text = strings.TrimSpace(rc.Text)
	return rc, nil
}

// printable drops the control and format characters Discord strips or
// refuses, and folds line breaks: one segment is one line of the recap.
func printable(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s))
}

// sessionDate is the day the session was played, or was to be.
func sessionDate(gs *gmc.GameSession) string {
	switch {
	case gs.StartedAt != nil:
		return gs.StartedAt.UTC().Format("2 January 2006")
	case gs.ScheduledAt != nil:
		return gs.ScheduledAt.UTC().Format("2 January 2006")
	}
	return ""
}
