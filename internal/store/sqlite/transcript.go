package sqlite

import (
	"context"
	"database/sql"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// AppendSegments stores a batch of segments after the session's last one.
func (db *DB) AppendSegments(ctx context.Context, segs []*gmc.TranscriptSegment, ev *gmc.Event) error {
	if len(segs) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		sessionID := segs[0].SessionID
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT max(seq) FROM transcript_segments WHERE session_id = g.id), 0)
			FROM game_sessions g WHERE g.id = ?`, sessionID).Scan(&last); err != nil {
			return interpretError(err)
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO transcript_segments (id, session_id, seq, speaker_label, start_ms, end_ms, text, source, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return interpretError(err)
		}
		defer stmt.Close()
		for _, s := range segs {
			last++
			s.Seq = last
			if _, err := stmt.ExecContext(ctx, s.ID, sessionID, s.Seq, s.SpeakerLabel, s.StartMS, s.EndMS, s.Text, s.Source, micros(s.CreatedAt)); err != nil {
				return interpretError(err)
			}
		}
		if err := indexSegments(ctx, tx, sessionID, segs); err != nil {
			return err
		}
		if err := markSegmentEmbeddings(ctx, tx, sessionID, segs); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Segments lists a session's segments in order.
func (db *DB) Segments(ctx context.Context, f store.SegmentFilter) ([]*gmc.TranscriptSegment, bool, error) {
	limit := gmc.Page{Limit: f.Limit}.Normalize().Limit
	rows, err := db.read.QueryContext(ctx, `SELECT t.id, t.session_id, t.seq, t.speaker_label, t.start_ms, t.end_ms, t.text, t.source, t.created_at,
			sp.label, sp.user_id, sp.character_id
		FROM transcript_segments t LEFT JOIN session_speakers sp ON sp.session_id = t.session_id AND sp.label = t.speaker_label
		WHERE t.session_id = ? AND t.seq > ? ORDER BY t.seq LIMIT ?`, f.SessionID, f.AfterSeq, limit+1)
	if err != nil {
		return nil, false, interpretError(err)
	}
	defer rows.Close()
	var out []*gmc.TranscriptSegment
	for rows.Next() {
		var s gmc.TranscriptSegment
		var created int64
		var label, user, character sql.NullString
		if err := rows.Scan(&s.ID, &s.SessionID, &s.Seq, &s.SpeakerLabel, &s.StartMS, &s.EndMS, &s.Text, &s.Source, &created, &label, &user, &character); err != nil {
			return nil, false, interpretError(err)
		}
		s.CreatedAt = fromMicros(created)
		if label.Valid {
			s.Speaker = &gmc.Speaker{Label: label.String, UserID: nullString(user), CharacterID: nullString(character)}
		}
		out = append(out, &s)
	}
	if err := rows.Err(); err != nil {
		return nil, false, interpretError(err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

func nullString(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// SetSpeakers replaces a session's speaker mapping.
func (db *DB) SetSpeakers(ctx context.Context, sessionID string, speakers []gmc.Speaker, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM game_sessions WHERE id = ?`, sessionID).Scan(&one); err != nil {
			return interpretError(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM session_speakers WHERE session_id = ?`, sessionID); err != nil {
			return interpretError(err)
		}
		for _, sp := range speakers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO session_speakers (session_id, label, user_id, character_id) VALUES (?, ?, ?, ?)`,
				sessionID, sp.Label, sp.UserID, sp.CharacterID); err != nil {
				return interpretError(err)
			}
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Speakers returns a session's speaker mapping.
func (db *DB) Speakers(ctx context.Context, sessionID string) ([]gmc.Speaker, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT label, user_id, character_id FROM session_speakers WHERE session_id = ? ORDER BY label`, sessionID)
	if err != nil {
		return nil, interpretError(err)
	}
	defer rows.Close()
	out := []gmc.Speaker{}
	for rows.Next() {
		var sp gmc.Speaker
		var user, character sql.NullString
		if err := rows.Scan(&sp.Label, &user, &character); err != nil {
			return nil, interpretError(err)
		}
		sp.UserID, sp.CharacterID = nullString(user), nullString(character)
		out = append(out, sp)
	}
	return out, interpretError(rows.Err())
}
