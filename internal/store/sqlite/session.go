package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

const sessionColumns = `id, campaign_id, number, title, scheduled_at, status, started_at, ended_at, notes, version, created_at, updated_at`

func scanSession(row interface{ Scan(...any) error }) (*gmc.GameSession, error) {
	var s gmc.GameSession
	var status string
	var scheduled, started, ended sql.NullInt64
	var created, updated int64
	if err := row.Scan(&s.ID, &s.CampaignID, &s.Number, &s.Title, &scheduled, &status, &started, &ended, &s.Notes, &s.Version, &created, &updated); err != nil {
		return nil, interpretError(err)
	}
	s.Status = gmc.SessionStatus(status)
	s.ScheduledAt, s.StartedAt, s.EndedAt = fromNullMicros(scheduled), fromNullMicros(started), fromNullMicros(ended)
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &s, nil
}

var errSessionLive = gmc.Errorf(gmc.ErrConflict, "session_live", "another session of this campaign is live; end it first")

// CreateSession inserts s with the campaign's next number.
func (db *DB) CreateSession(ctx context.Context, s *gmc.GameSession, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) + 1 FROM game_sessions WHERE campaign_id = ?`, s.CampaignID).Scan(&s.Number); err != nil {
			return interpretError(err)
		}
		s.Version = 1
		_, err := tx.ExecContext(ctx, `INSERT INTO game_sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.CampaignID, s.Number, s.Title, nullMicros(s.ScheduledAt), string(s.Status), nullMicros(s.StartedAt), nullMicros(s.EndedAt),
			s.Notes, s.Version, micros(s.CreatedAt), micros(s.UpdatedAt))
		if err = interpretError(err); errors.Is(err, gmc.ErrConflict) && s.Status == gmc.SessionLive {
			return errSessionLive
		} else if err != nil {
			return err
		}
		if err := indexDoc(ctx, tx, search.SessionDoc(s)); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// Session returns the session with id.
func (db *DB) Session(ctx context.Context, id string) (*gmc.GameSession, error) {
	return scanSession(db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM game_sessions WHERE id = ?`, id))
}

// Sessions lists a campaign's sessions in order.
func (db *DB) Sessions(ctx context.Context, f store.SessionFilter) ([]*gmc.GameSession, string, error) {
	f.Page = f.Page.Normalize()
	q := `SELECT ` + sessionColumns + ` FROM game_sessions WHERE campaign_id = ? AND id > ?`
	args := []any{f.CampaignID, f.Page.Cursor}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY id LIMIT ?`, append(args, f.Page.Limit+1)...)
	if err != nil {
		return nil, "", interpretError(err)
	}
	defer rows.Close()
	var out []*gmc.GameSession
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, "", interpretError(err)
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(s *gmc.GameSession) string { return s.ID })
	return out, next, nil
}

// MemberSessions lists a campaign's sessions with userID's role, read by
// the list's statement.
func (db *DB) MemberSessions(ctx context.Context, userID string, f store.SessionFilter) ([]*gmc.GameSession, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	q := `SELECT ` + sessionColumns + `, (SELECT role FROM me) FROM game_sessions WHERE EXISTS (SELECT 1 FROM me) AND campaign_id = ? AND id > ?`
	args := []any{f.CampaignID, f.Page.Cursor}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	out, role, err := memberList(ctx, db, campaignMember(f.CampaignID, userID), q+` ORDER BY id LIMIT ?`, append(args, f.Page.Limit+1), scanSession)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(s *gmc.GameSession) string { return s.ID })
	return out, next, role, nil
}

// UpdateSession writes s when its version is current.
func (db *DB) UpdateSession(ctx context.Context, s *gmc.GameSession, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE game_sessions SET title = ?, scheduled_at = ?, status = ?, started_at = ?, ended_at = ?, notes = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			s.Title, nullMicros(s.ScheduledAt), string(s.Status), nullMicros(s.StartedAt), nullMicros(s.EndedAt), s.Notes, micros(s.UpdatedAt), s.ID, s.Version)
		// The only unique rule an update can break is "one live session".
		if err = interpretError(err); errors.Is(err, gmc.ErrConflict) {
			return errSessionLive
		} else if err != nil {
			return err
		}
		if err := checkVersioned(ctx, tx, res, "game_sessions", s.ID); err != nil {
			return err
		}
		s.Version++
		if err := indexDoc(ctx, tx, search.SessionDoc(s)); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// DeleteSession removes a session.
func (db *DB) DeleteSession(ctx context.Context, id string, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM game_sessions WHERE id = ?`, id)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}
