package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
)

// The segment index (migration 00023): segment_search gives each segment
// an integer doc_id, the rowid of its entry in the contentless FTS5 table
// segment_text, whose columns are the words of its text, the names of its
// hits that players see, and those of GM-only hits.

// indexSegments indexes a batch of new segments of one session inside tx.
func indexSegments(ctx context.Context, tx *sql.Tx, sessionID string, segs []*gmc.TranscriptSegment) error {
	var campaignID string
	if err := tx.QueryRowContext(ctx, `SELECT campaign_id FROM game_sessions WHERE id = ?`, sessionID).Scan(&campaignID); err != nil {
		return interpretError(err)
	}
	doc, err := tx.PrepareContext(ctx, `INSERT INTO segment_search (segment_id, campaign_id) VALUES (?, ?) RETURNING doc_id`)
	if err != nil {
		return interpretError(err)
	}
	defer doc.Close()
	text, err := tx.PrepareContext(ctx, `INSERT INTO segment_text (rowid, words, names, gm_names) VALUES (?, ?, '', '')`)
	if err != nil {
		return interpretError(err)
	}
	defer text.Close()
	for _, s := range segs {
		var id int64
		if err := doc.QueryRowContext(ctx, s.ID, campaignID).Scan(&id); err != nil {
			return interpretError(err)
		}
		if _, err := text.ExecContext(ctx, id, search.SegmentWords(s.Text)); err != nil {
			return interpretError(err)
		}
	}
	return nil
}

// indexMentions rewrites the index entries of the segments that new term
// hits name, inside tx and after the hits are stored: a contentless FTS5
// row is replaced whole.
func indexMentions(ctx context.Context, tx *sql.Tx, hits []*gmc.KeywordHit) error {
	seen := map[string]bool{}
	for _, h := range hits {
		if h.Kind != gmc.HitTerm || seen[h.SegmentID] {
			continue
		}
		seen[h.SegmentID] = true
		var doc int64
		var text string
		if err := tx.QueryRowContext(ctx, `SELECT s.doc_id, t.text FROM segment_search s JOIN transcript_segments t ON t.id = s.segment_id
			WHERE s.segment_id = ?`, h.SegmentID).Scan(&doc, &text); err != nil {
			return interpretError(err)
		}
		mentions, err := segmentMentions(ctx, tx, []string{h.SegmentID}, true)
		if err != nil {
			return err
		}
		in := search.IndexSegment(text, mentions[h.SegmentID])
		if _, err := tx.ExecContext(ctx, `DELETE FROM segment_text WHERE rowid = ?`, doc); err != nil {
			return interpretError(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO segment_text (rowid, words, names, gm_names) VALUES (?, ?, ?, ?)`,
			doc, in.Words, in.Names, in.GMNames); err != nil {
			return interpretError(err)
		}
	}
	return nil
}

// segmentMentions returns the term hits of segments, GM-only ones when gm
// is set, in detection order.
func segmentMentions(ctx context.Context, q querier, ids []string, gm bool) (map[string][]search.Mention, error) {
	rows, err := q.QueryContext(ctx, `SELECT segment_id, name, span_start, span_end, gm_only FROM keyword_hits
		WHERE kind = 'term' AND segment_id IN (SELECT value FROM json_each(?)) AND (? OR gm_only = 0) ORDER BY id`, jsonArray(ids), gm)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	out := map[string][]search.Mention{}
	for rows.Next() {
		var id string
		var m search.Mention
		if err := rows.Scan(&id, &m.Name, &m.Span[0], &m.Span[1], &m.GMOnly); err != nil {
			return nil, interpretError(err)
		}
		out[id] = append(out[id], m)
	}
	return out, interpretError(rows.Err())
}

// SearchSegments asks the FTS5 index for the campaign's segments holding
// every word (players' probes read the words and names columns only), or
// takes the segments p.IDs names, and loads them with their sessions,
// speakers and mentions.
func (db *DB) SearchSegments(ctx context.Context, p search.SegmentProbe) ([]search.SegmentCandidate, error) {
	var found string
	var args []any
	switch {
	case len(p.IDs) > 0:
		found = `SELECT s.segment_id FROM segment_search s
			WHERE s.segment_id IN (SELECT value FROM json_each(?)) AND s.campaign_id = ? LIMIT ?`
		args = []any{jsonArray(p.IDs), p.Campaign, p.Limit}
	case len(p.Words) > 0:
		found = `SELECT s.segment_id FROM segment_text f CROSS JOIN segment_search s ON s.doc_id = f.rowid
			WHERE segment_text MATCH ? AND s.campaign_id = ? LIMIT ?`
		args = []any{segmentMatch(p), p.Campaign, p.Limit}
	default:
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT t.id, t.session_id, g.title, g.number, g.started_at, t.seq, t.start_ms, t.end_ms, t.created_at,
			t.speaker_label, sp.label, sp.user_id, sp.character_id, t.text
		FROM (`+found+`) x
		JOIN transcript_segments t ON t.id = x.segment_id JOIN game_sessions g ON g.id = t.session_id
		LEFT JOIN session_speakers sp ON sp.session_id = t.session_id AND sp.label = t.speaker_label`, args...)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	var out []search.SegmentCandidate
	var ids []string
	for rows.Next() {
		var c search.SegmentCandidate
		var started sql.NullInt64
		var created int64
		var label, user, character sql.NullString
		if err := rows.Scan(&c.SegmentID, &c.SessionID, &c.SessionTitle, &c.SessionNumber, &started, &c.Seq, &c.StartMS, &c.EndMS, &created,
			&c.SpeakerLabel, &label, &user, &character, &c.Text); err != nil {
			return nil, interpretError(err)
		}
		c.SessionStartedAt, c.CreatedAt = fromNullMicros(started), fromMicros(created)
		if label.Valid {
			c.Speaker = &gmc.Speaker{Label: label.String, UserID: nullString(user), CharacterID: nullString(character)}
		}
		out, ids = append(out, c), append(ids, c.SegmentID)
	}
	if err := rows.Err(); err != nil {
		return nil, interpretError(err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	mentions, err := segmentMentions(ctx, db.read, ids, p.GM)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Mentions = mentions[out[i].SegmentID]
	}
	return out, nil
}

// segmentMatch is p's words as an FTS5 query: every word, the last as a
// prefix when asked, in the columns p's role may read.
func segmentMatch(p search.SegmentProbe) string {
	terms := make([]string, len(p.Words))
	for i, w := range p.Words {
		terms[i] = `"` + w + `"`
		if p.LastPrefix && i == len(p.Words)-1 {
			terms[i] += "*"
		}
	}
	match := `(` + strings.Join(terms, " AND ") + `)`
	if !p.GM {
		match = `{words names} : ` + match
	}
	return match
}
