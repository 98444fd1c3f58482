package search

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/textmatch"
)

// TypeSegment is the type of transcript segment results.
const TypeSegment = "segment"

// segmentLimit bounds the segments one search reads and ranks: a word
// said in thousands of segments yields this many, and the facet counts
// them up to it.
const segmentLimit = MaxLimit

// Transcript segments are searched apart from entities, by their own
// index: the words of the text, and the names the keyword engine resolved
// in it, so that a segment where "zee landra" was heard as Xylandra is
// found by "Xylandra". A player's probe reads the names of hits visible to
// players only.

// SegmentSource is what a store offers segment search.
type SegmentSource interface {
	// SearchSegments returns up to p.Limit segments of p.Campaign whose
	// words and resolved names together hold every word of p (the last
	// as a prefix when p.LastPrefix); GM-only names count only when p.GM
	// is set. With p.IDs it returns those of the listed segments that
	// belong to p.Campaign instead, whatever their words. Mentions are
	// loaded alike, GM-only ones when p.GM is set.
	SearchSegments(ctx context.Context, p SegmentProbe) ([]SegmentCandidate, error)
}

// SegmentProbe asks for a campaign's segments holding all of Words, or
// for the segments IDs of it.
type SegmentProbe struct {
	Campaign   string
	GM         bool
	Words      []string
	LastPrefix bool
	// IDs, when set, names the segments wanted (those found by meaning);
	// Words and LastPrefix are then ignored.
	IDs   []string
	Limit int
}

// Mention is a name the keyword engine resolved in a segment's text.
type Mention struct {
	Name string
	// Span holds the byte offsets [start, end) of what was heard.
	Span   [2]int
	GMOnly bool
}

// SegmentCandidate is a stored segment as ranking reads it.
type SegmentCandidate struct {
	SegmentID     string
	SessionID     string
	SessionTitle  string
	SessionNumber int
	// SessionStartedAt is when the session went live, if it did.
	SessionStartedAt *time.Time
	Seq              int64
	StartMS, EndMS   int64
	CreatedAt        time.Time
	SpeakerLabel     string
	// Speaker is the label's mapping, when the GM has set one.
	Speaker  *gmc.Speaker
	Text     string
	Mentions []Mention
}

// SegmentRef places a segment result in its session.
type SegmentRef struct {
	SessionID     string `json:"session_id"`
	SessionTitle  string `json:"session_title"`
	SessionNumber int    `json:"session_number"`
	Seq           int64  `json:"seq"`
	// StartMS and EndMS are offsets into the session's recording.
	StartMS int64 `json:"start_ms"`
	EndMS   int64 `json:"end_ms"`
	// At is when it was said: the session's start plus StartMS, or when
	// the segment was stored for a session that never went live.
	At           time.Time `json:"at"`
	SpeakerLabel string    `json:"speaker_label"`
	// Speaker is who the label maps to; SpeakerName is how to show it
	// (character, else member, else the label).
	Speaker     *gmc.Speaker `json:"speaker,omitempty"`
	SpeakerName string       `json:"speaker_name"`
}

// SegmentIndex is what a store indexes of a segment: its text and its
// mentions' names (visible to players, GM-only) as normalised words, as
// the full-text indexes of both backends tokenise them alike.
type SegmentIndex struct {
	Words, Names, GMNames string
}

// IndexSegment prepares a segment's text and mentions for storage.
func IndexSegment(text string, mentions []Mention) SegmentIndex {
	var names, gm []string
	for _, m := range mentions {
		if m.GMOnly {
			gm = append(gm, m.Name)
		} else {
			names = append(names, m.Name)
		}
	}
	return SegmentIndex{Words: textWords(cutText(text)), Names: textWords(strings.Join(names, " ")), GMNames: textWords(strings.Join(gm, " "))}
}

// SegmentWords is text as normalised words separated by spaces.
func SegmentWords(text string) string { return textWords(cutText(text)) }

// SegmentResult is what segment search found, best first.
type SegmentResult struct {
	Items []Item
	// Found counts the matching segments, up to the number read.
	Found int
}

// RunSegments answers a campaign search over transcript segments. Queries
// short enough to be matched by prefix only find no segments: every
// segment holds a word beginning with most letters.
func RunSegments(ctx context.Context, src SegmentSource, campaign string, gm bool, query string) (*SegmentResult, error) {
	q := ParseQuery(query)
	if q.Empty() || q.short {
		return &SegmentResult{}, nil
	}
	words := q.textWords()
	last := words[len(words)-1]
	cands, err := src.SearchSegments(ctx, SegmentProbe{Campaign: campaign, GM: gm, Words: words,
		LastPrefix: utf8.RuneCountInString(last) >= minSoundRunes, Limit: segmentLimit})
	if err != nil {
		return nil, err
	}
	type scored struct {
		c     *SegmentCandidate
		score float64
		snip  string
	}
	found := make([]scored, 0, len(cands))
	for i := range cands {
		c := &cands[i]
		quality, snip := segmentMatch(&q, c, gm)
		found = append(found, scored{c: c, score: tierFullText.score(quality), snip: snip})
	}
	// Equal scores: the latest session first, then the order of speech.
	slices.SortFunc(found, func(a, b scored) int {
		if c := cmp.Compare(round3(b.score), round3(a.score)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.c.SessionNumber, a.c.SessionNumber); c != 0 {
			return c
		}
		if c := strings.Compare(a.c.SessionID, b.c.SessionID); c != 0 {
			return c
		}
		return cmp.Compare(a.c.Seq, b.c.Seq)
	})
	res := &SegmentResult{Items: make([]Item, 0, len(found)), Found: len(found)}
	for _, f := range found {
		res.Items = append(res.Items, segmentItem(f.c, f.score, MatchFullText, f.snip))
	}
	return res, nil
}

// segmentItem is the result of segment c.
func segmentItem(c *SegmentCandidate, score float64, match Match, highlight string) Item {
	at := c.CreatedAt
	if c.SessionStartedAt != nil {
		at = c.SessionStartedAt.Add(time.Duration(c.StartMS) * time.Millisecond)
	}
	return Item{Type: TypeSegment, ID: c.SegmentID, Name: c.SessionTitle, Score: round3(score),
		Match: match, Highlight: highlight, Segment: &SegmentRef{SessionID: c.SessionID, SessionTitle: c.SessionTitle,
			SessionNumber: c.SessionNumber, Seq: c.Seq, StartMS: c.StartMS, EndMS: c.EndMS, At: at.UTC(),
			SpeakerLabel: c.SpeakerLabel, Speaker: c.Speaker, SpeakerName: c.SpeakerLabel}}
}

// MergeSegments adds segment results to an entity search's: ranked
// together by score (entities first on a tie), cut to the limit, and
// counted in the facets.
func MergeSegments(res *Result, segs *SegmentResult, types []string, limit int) {
	if segs.Found > 0 {
		res.Facets[TypeSegment] = segs.Found
	}
	if len(types) > 0 && !slices.Contains(types, TypeSegment) {
		return
	}
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	out := make([]Item, 0, min(limit, len(res.Items)+len(segs.Items)))
	a, b := res.Items, segs.Items
	for len(out) < limit && (len(a) > 0 || len(b) > 0) {
		if len(b) == 0 || len(a) > 0 && a[0].Score >= b[0].Score {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	res.Items = out
}

// segmentMatch scores a segment the database found: the query's words
// (but its stop words) in the text, or in the names resolved in it, whose
// mention is then what the snippet marks. It returns a quality as
// textMatch does and a highlighted snippet.
func segmentMatch(q *Query, c *SegmentCandidate, gm bool) (float64, string) {
	text := cutAt(c.Text, textScanBytes)
	words := q.textWords()
	toks := textmatch.Tokenize(text)
	// at[wi] is the token where query word wi was found; spans collects
	// what to mark.
	at := make([]int, len(words))
	var spans [][2]int
	for wi := range words {
		at[wi] = -1
		for ti, t := range toks {
			if textWordMatches(words, wi, t.Text) {
				if at[wi] < 0 {
					at[wi] = ti
				}
				spans = append(spans, [2]int{t.Start, t.End})
			}
		}
		if at[wi] >= 0 {
			continue
		}
		for _, m := range c.Mentions {
			if (m.GMOnly && !gm) || m.Span[0] < 0 || m.Span[1] > len(text) || m.Span[0] >= m.Span[1] {
				continue
			}
			if !slices.ContainsFunc(nameWords(m.Name), func(n string) bool { return textWordMatches(words, wi, n) }) {
				continue
			}
			spans = append(spans, m.Span)
			if at[wi] < 0 {
				at[wi] = max(0, slices.IndexFunc(toks, func(t textmatch.Token) bool { return t.End > m.Span[0] }))
			}
		}
	}
	quality := 0.0
	lo := -1
	if !slices.Contains(at, -1) && len(toks) > 0 {
		hi, inOrder := at[0], true
		lo = at[0]
		for i, p := range at {
			lo, hi = min(lo, p), max(hi, p)
			if i > 0 && p < at[i-1] {
				inOrder = false
			}
		}
		quality = 0.6 * float64(len(words)) / float64(hi-lo+1)
		if inOrder {
			quality += 0.4
		}
	}
	if lo < 0 {
		// The database found the words where ranking does not read:
		// still a match, the weakest kind, shown from the start.
		if len(toks) == 0 {
			return 0, markSpans(cutAt(text, snippetAfter), nil)
		}
		lo = 0
	}
	return quality, segmentSnippet(text, toks, lo, spans)
}

// segmentSnippet cuts text around token at, as snippet does, and marks
// the given spans inside it.
func segmentSnippet(text string, toks []textmatch.Token, at int, spans [][2]int) string {
	start, end := max(0, toks[at].Start-snippetBefore), min(len(text), toks[at].End+snippetAfter)
	for _, t := range toks {
		if t.Start < start && t.End > start {
			start = t.Start
		}
		if t.Start < end && t.End > end {
			end = t.End
		}
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	var keep [][2]int
	last := start
	for _, sp := range spans {
		if sp[0] < last || sp[1] > end {
			continue // outside the snippet, or overlapping a mark
		}
		keep, last = append(keep, [2]int{sp[0] - start, sp[1] - start}), sp[1]
	}
	out := markSpans(text[start:end], keep)
	if start > 0 {
		out = ellipsis + out
	}
	if end < len(text) {
		out += ellipsis
	}
	return strings.Join(strings.Fields(out), " ")
}
