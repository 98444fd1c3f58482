package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// AppendSegments stores a batch of segments after the session's last one.
func (db *DB) AppendSegments(ctx context.Context, segs []*gmc.TranscriptSegment, ev *gmc.Event) error {
	if len(segs) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		sessionID := segs[0].SessionID
		if err := lockSessionCampaign(ctx, tx, sessionID); err != nil {
			return err
		}
		// Locking the session row serialises concurrent batches, so their
		// seqs never collide.
		var last int64
		if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT max(seq) FROM transcript_segments WHERE session_id = g.id), 0)
			FROM game_sessions g WHERE g.id = $1 FOR UPDATE`, sessionID).Scan(&last); err != nil {
			return interpretError(err)
		}
		rows := make([][]any, len(segs))
		for i, s := range segs {
			last++
			s.Seq = last
			rows[i] = []any{s.ID, sessionID, s.Seq, s.SpeakerLabel, s.StartMS, s.EndMS, s.Text, s.Source, s.CreatedAt}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"transcript_segments"},
			[]string{"id", "session_id", "seq", "speaker_label", "start_ms", "end_ms", "text", "source", "created_at"},
			pgx.CopyFromRows(rows)); err != nil {
			return interpretError(err)
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
	if !isUUID(f.SessionID) {
		return nil, false, nil
	}
	rows, err := db.q.Query(ctx, `SELECT t.id, t.session_id, t.seq, t.speaker_label, t.start_ms, t.end_ms, t.text, t.source, t.created_at,
			sp.label, sp.user_id, sp.character_id
		FROM transcript_segments t LEFT JOIN session_speakers sp ON sp.session_id = t.session_id AND sp.label = t.speaker_label
		WHERE t.session_id = $1 AND t.seq > $2 ORDER BY t.seq LIMIT $3`, f.SessionID, f.AfterSeq, limit+1)
	if err != nil {
		return nil, false, interpretError(err)
	}
	out, err := collect(rows, func(row pgx.Row) (*gmc.TranscriptSegment, error) {
		var s gmc.TranscriptSegment
		var label *string
		var user, character *string
		if err := row.Scan(&s.ID, &s.SessionID, &s.Seq, &s.SpeakerLabel, &s.StartMS, &s.EndMS, &s.Text, &s.Source, &s.CreatedAt, &label, &user, &character); err != nil {
			return nil, interpretError(err)
		}
		s.CreatedAt = s.CreatedAt.UTC()
		if label != nil {
			s.Speaker = &gmc.Speaker{Label: *label, UserID: user, CharacterID: character}
		}
		return &s, nil
	})
	if err != nil {
		return nil, false, err
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// SetSpeakers replaces a session's speaker mapping.
func (db *DB) SetSpeakers(ctx context.Context, sessionID string, speakers []gmc.Speaker, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockSessionCampaign(ctx, tx, sessionID); err != nil {
			return err
		}
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM game_sessions WHERE id = $1 FOR UPDATE`, sessionID).Scan(&one); err != nil {
			return interpretError(err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM session_speakers WHERE session_id = $1`, sessionID); err != nil {
			return interpretError(err)
		}
		for _, sp := range speakers {
			if _, err := tx.Exec(ctx, `INSERT INTO session_speakers (session_id, label, user_id, character_id) VALUES ($1, $2, $3, $4)`,
				sessionID, sp.Label, sp.UserID, sp.CharacterID); err != nil {
				return interpretError(err)
			}
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Speakers returns a session's speaker mapping.
func (db *DB) Speakers(ctx context.Context, sessionID string) ([]gmc.Speaker, error) {
	if !isUUID(sessionID) {
		return []gmc.Speaker{}, nil
	}
	rows, err := db.q.Query(ctx, `SELECT label, user_id, character_id FROM session_speakers WHERE session_id = $1 ORDER BY label COLLATE "C"`, sessionID)
	if err != nil {
		return nil, interpretError(err)
	}
	out, err := collect(rows, func(row pgx.Row) (gmc.Speaker, error) {
		var sp gmc.Speaker
		err := row.Scan(&sp.Label, &sp.UserID, &sp.CharacterID)
		return sp, interpretError(err)
	})
	if out == nil && err == nil {
		out = []gmc.Speaker{}
	}
	return out, err
}
