package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
)

// The segment index (migration 00023) keeps one tsvector per segment: the
// words of its text at weight D, the names of its hits that players see at
// C, of GM-only hits at A. A player's query asks for C and D only, so one
// GIN index serves both roles.

// indexSegments indexes a batch of new segments of one session inside tx,
// in one statement.
func indexSegments(ctx context.Context, tx pgx.Tx, sessionID string, segs []*gmc.TranscriptSegment) error {
	ids, words := make([]string, len(segs)), make([]string, len(segs))
	for i, s := range segs {
		ids[i], words[i] = s.ID, search.SegmentWords(s.Text)
	}
	_, err := tx.Exec(ctx, `INSERT INTO segment_search (segment_id, campaign_id, tsv)
		SELECT s.id, g.campaign_id, to_tsvector('simple', s.w) FROM unnest($2::uuid[], $3::text[]) AS s(id, w), game_sessions g
		WHERE g.id = $1`, sessionID, ids, words)
	return interpretError(err)
}

// indexMentions adds the names of new term hits to their segments' index
// entries inside tx. Hits are only ever added, so appending suffices.
func indexMentions(ctx context.Context, tx pgx.Tx, hits []*gmc.KeywordHit) error {
	bySegment := map[string][]search.Mention{}
	var order []string
	for _, h := range hits {
		if h.Kind != gmc.HitTerm {
			continue
		}
		if _, seen := bySegment[h.SegmentID]; !seen {
			order = append(order, h.SegmentID)
		}
		bySegment[h.SegmentID] = append(bySegment[h.SegmentID], search.Mention{Name: h.Name, GMOnly: h.GMOnly})
	}
	if len(order) == 0 {
		return nil
	}
	names, gm := make([]string, len(order)), make([]string, len(order))
	for i, id := range order {
		in := search.IndexSegment("", bySegment[id])
		names[i], gm[i] = in.Names, in.GMNames
	}
	_, err := tx.Exec(ctx, `UPDATE segment_search s
		SET tsv = s.tsv || setweight(to_tsvector('simple', u.n), 'C') || setweight(to_tsvector('simple', u.g), 'A')
		FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, n, g) WHERE s.segment_id = u.id`, order, names, gm)
	return interpretError(err)
}

// SearchSegments looks the words up in the GIN index, or takes the
// segments p.IDs names, and loads the segments found with their
// sessions, speakers and mentions.
func (db *DB) SearchSegments(ctx context.Context, p search.SegmentProbe) ([]search.SegmentCandidate, error) {
	if !isUUID(p.Campaign) {
		return nil, nil
	}
	var found string
	var arg any
	switch {
	case len(p.IDs) > 0:
		// An id that is not a uuid names no segment, as in SQLite.
		ids := make([]string, 0, len(p.IDs))
		for _, id := range p.IDs {
			if isUUID(id) {
				ids = append(ids, id)
			}
		}
		found, arg = `SELECT s.segment_id FROM segment_search s WHERE s.segment_id = ANY($1::uuid[]) AND s.campaign_id = $2 LIMIT $3`, ids
	case len(p.Words) > 0:
		found, arg = `SELECT s.segment_id FROM segment_search s
			WHERE s.tsv @@ to_tsquery('simple', $1) AND s.campaign_id = $2 LIMIT $3`, segmentQuery(p)
	default:
		return nil, nil
	}
	rows, err := db.q.Query(ctx, `WITH found AS (`+found+`)
		SELECT t.id, t.session_id, g.title, g.number, g.started_at, t.seq, t.start_ms, t.end_ms, t.created_at, t.speaker_label,
			sp.label, sp.user_id, sp.character_id, t.text,
			coalesce(m.names, '{}'), coalesce(m.starts, '{}'), coalesce(m.ends, '{}'), coalesce(m.gm, '{}')
		FROM found f JOIN transcript_segments t ON t.id = f.segment_id JOIN game_sessions g ON g.id = t.session_id
		LEFT JOIN LATERAL (SELECT array_agg(h.name ORDER BY h.id) AS names, array_agg(h.span_start ORDER BY h.id) AS starts,
				array_agg(h.span_end ORDER BY h.id) AS ends, array_agg(h.gm_only ORDER BY h.id) AS gm
			FROM keyword_hits h WHERE h.segment_id = t.id AND h.kind = 'term' AND ($4 OR NOT h.gm_only)) m ON true
		LEFT JOIN session_speakers sp ON sp.session_id = t.session_id AND sp.label = t.speaker_label`,
		arg, p.Campaign, p.Limit, p.GM)
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, func(row pgx.Row) (search.SegmentCandidate, error) {
		var c search.SegmentCandidate
		var label, user, character *string
		var names []string
		var starts, ends []int32
		var gm []bool
		if err := row.Scan(&c.SegmentID, &c.SessionID, &c.SessionTitle, &c.SessionNumber, &c.SessionStartedAt, &c.Seq, &c.StartMS, &c.EndMS,
			&c.CreatedAt, &c.SpeakerLabel, &label, &user, &character, &c.Text, &names, &starts, &ends, &gm); err != nil {
			return c, interpretError(err)
		}
		c.CreatedAt = c.CreatedAt.UTC()
		if c.SessionStartedAt != nil {
			t := c.SessionStartedAt.UTC()
			c.SessionStartedAt = &t
		}
		if label != nil {
			c.Speaker = &gmc.Speaker{Label: *label, UserID: user, CharacterID: character}
		}
		for i := range names {
			c.Mentions = append(c.Mentions, search.Mention{Name: names[i], Span: [2]int{int(starts[i]), int(ends[i])}, GMOnly: gm[i]})
		}
		return c, nil
	})
}

// segmentQuery is p's words as a tsquery: every word, the last as a
// prefix when asked, at the weights p's role may read.
func segmentQuery(p search.SegmentProbe) string {
	weights := ""
	if !p.GM {
		weights = "CD"
	}
	terms := make([]string, len(p.Words))
	for i, w := range p.Words {
		// Words are normalised letters and digits: nothing to quote.
		terms[i] = `'` + w + `':`
		if p.LastPrefix && i == len(p.Words)-1 {
			terms[i] += "*"
		}
		terms[i] = strings.TrimSuffix(terms[i]+weights, ":")
	}
	return strings.Join(terms, " & ")
}
