package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/search"
	"github.com/gmc-project/gmc/internal/store"
)

const sessionColumns = `id, campaign_id, number, title, scheduled_at, status, started_at, ended_at, notes, version, created_at, updated_at`

func scanSession(row pgx.Row) (*gmc.GameSession, error) {
	var s gmc.GameSession
	var status string
	if err := row.Scan(&s.ID, &s.CampaignID, &s.Number, &s.Title, &s.ScheduledAt, &status, &s.StartedAt, &s.EndedAt, &s.Notes, &s.Version, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, interpretError(err)
	}
	s.Status = gmc.SessionStatus(status)
	s.ScheduledAt, s.StartedAt, s.EndedAt = utcPtr(s.ScheduledAt), utcPtr(s.StartedAt), utcPtr(s.EndedAt)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return &s, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

var errSessionLive = gmc.Errorf(gmc.ErrConflict, "session_live", "another session of this campaign is live; end it first")

// CreateSession inserts s with the campaign's next number.
func (db *DB) CreateSession(ctx context.Context, s *gmc.GameSession, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		// Locking the campaign row serialises numbering: two sessions created
		// at once would otherwise both read the same max(number).
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM campaigns WHERE id = $1 FOR UPDATE`, s.CampaignID).Scan(&one); err != nil {
			return interpretError(err)
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(number), 0) + 1 FROM game_sessions WHERE campaign_id = $1`, s.CampaignID).Scan(&s.Number); err != nil {
			return interpretError(err)
		}
		s.Version = 1
		_, err := tx.Exec(ctx, `INSERT INTO game_sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			s.ID, s.CampaignID, s.Number, s.Title, s.ScheduledAt, string(s.Status), s.StartedAt, s.EndedAt, s.Notes, s.Version, s.CreatedAt, s.UpdatedAt)
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
	return scanSession(db.q.QueryRow(ctx, `SELECT `+sessionColumns+` FROM game_sessions WHERE id = $1`, id))
}

// Sessions lists a campaign's sessions in order.
func (db *DB) Sessions(ctx context.Context, f store.SessionFilter) ([]*gmc.GameSession, string, error) {
	f.Page = f.Page.Normalize()
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", err
	}
	if !isUUID(f.CampaignID) {
		return nil, "", nil
	}
	q, args := sessionQuery(f, pgx.NamedArgs{"campaign": f.CampaignID})
	rows, err := db.reader(ctx).Query(ctx, `SELECT `+sessionColumns+` FROM game_sessions WHERE `+q, args)
	if err != nil {
		return nil, "", interpretError(err)
	}
	out, err := collect(rows, scanSession)
	if err != nil {
		return nil, "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(s *gmc.GameSession) string { return s.ID })
	return out, next, nil
}

// MemberSessions lists a campaign's sessions with userID's role, read by
// the list's statement.
func (db *DB) MemberSessions(ctx context.Context, userID string, f store.SessionFilter) ([]*gmc.GameSession, string, gmc.Role, error) {
	f.Page = f.Page.Normalize()
	if !isUUID(f.CampaignID) || !isUUID(userID) {
		return nil, "", "", gmc.ErrNotFound
	}
	of := campaignMember(f.CampaignID, userID)
	if err := checkCursor(f.Page.Cursor); err != nil {
		return nil, "", "", db.memberFails(ctx, of, err)
	}
	m, err := db.memberScope(ctx, of, true)
	if err != nil {
		return nil, "", "", err
	}
	q, _ := sessionQuery(f, m.of.args)
	out, role, err := memberList(ctx, db, m, `SELECT `+sessionColumns+`, (SELECT role FROM me) FROM game_sessions
		WHERE EXISTS (SELECT 1 FROM me) AND `+q, scanSession)
	if err != nil {
		return nil, "", "", err
	}
	out, next := gmc.NextCursor(out, f.Page.Limit, func(s *gmc.GameSession) string { return s.ID })
	return out, next, role, nil
}

// sessionQuery is the condition, order and limit of a list of f; it adds
// its named arguments to args (which holds "campaign").
func sessionQuery(f store.SessionFilter, args pgx.NamedArgs) (string, pgx.NamedArgs) {
	q := `campaign_id = @campaign`
	args["limit"] = f.Page.Limit + 1
	if f.Page.Cursor != "" {
		q += ` AND id > @cursor`
		args["cursor"] = f.Page.Cursor
	}
	if f.Status != "" {
		q += ` AND status = @status`
		args["status"] = string(f.Status)
	}
	return q + ` ORDER BY id LIMIT @limit`, args
}

// UpdateSession writes s when its version is current.
func (db *DB) UpdateSession(ctx context.Context, s *gmc.GameSession, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockSessionCampaign(ctx, tx, s.ID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE game_sessions SET title = $1, scheduled_at = $2, status = $3, started_at = $4, ended_at = $5, notes = $6,
			version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9`,
			s.Title, s.ScheduledAt, string(s.Status), s.StartedAt, s.EndedAt, s.Notes, s.UpdatedAt, s.ID, s.Version)
		// The only unique rule an update can break is "one live session".
		if err = interpretError(err); errors.Is(err, gmc.ErrConflict) {
			return errSessionLive
		} else if err != nil {
			return err
		}
		if err := checkVersioned(ctx, tx, tag, "game_sessions", s.ID); err != nil {
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
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockSessionCampaign(ctx, tx, id); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM game_sessions WHERE id = $1`, id)
		if err != nil {
			return interpretError(err)
		}
		if err := mustAffect(tag); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// lockSessionCampaign takes a key-share lock on the campaign of a session
// before anything locks the session row itself: campaign before its rows is
// the lock order of this package (see the package doc), which DeleteCampaign
// follows too.
func lockSessionCampaign(ctx context.Context, tx pgx.Tx, sessionID string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM campaigns WHERE id = (SELECT campaign_id FROM game_sessions WHERE id = $1) FOR KEY SHARE`, sessionID).Scan(&one)
	return interpretError(err)
}
