package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

const summaryColumns = `session_id, campaign_id, version, mode, gm_recap, player_recap, scenes, entities, plot_points,
	relationship_changes, achievements, job_id, created_at, player_mode, model, fallback`

// summaryApproval is read with summaryColumns; SaveSummary clears it.
const summaryApproval = `, approved_by, approved_at`

// SaveSummary stores a session's summary and its new proposals.
func (db *DB) SaveSummary(ctx context.Context, s *gmc.SessionSummary, proposals []*gmc.Proposal) ([]*gmc.Proposal, error) {
	docs, err := marshalAll(s.GMRecap, s.PlayerRecap, s.Scenes, s.Entities, s.PlotPoints, s.Relationships, s.Achievements)
	if err != nil {
		return nil, err
	}
	var inserted []*gmc.Proposal
	err = db.tx(ctx, func(tx *sql.Tx) error {
		inserted = nil
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM game_sessions WHERE id = ? AND campaign_id = ?`, s.SessionID, s.CampaignID).Scan(&n); err != nil {
			return interpretError(err)
		}
		if n == 0 {
			return gmc.ErrNotFound
		}
		var version int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) + 1 FROM session_summaries WHERE session_id = ?`, s.SessionID).Scan(&version); err != nil {
			return interpretError(err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO session_summaries (`+summaryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (session_id) DO UPDATE SET version = excluded.version, mode = excluded.mode, gm_recap = excluded.gm_recap,
			player_recap = excluded.player_recap, scenes = excluded.scenes, entities = excluded.entities, plot_points = excluded.plot_points,
			relationship_changes = excluded.relationship_changes, achievements = excluded.achievements, job_id = excluded.job_id,
			created_at = excluded.created_at, player_mode = excluded.player_mode, model = excluded.model, fallback = excluded.fallback,
			approved_by = NULL, approved_at = NULL`,
			s.SessionID, s.CampaignID, version, s.Mode, docs[0], docs[1], docs[2], docs[3], docs[4], docs[5], docs[6], s.JobID, micros(s.CreatedAt), s.PlayerMode, s.Model, s.Fallback)
		if err != nil {
			return interpretError(err)
		}
		s.Version = version
		for _, p := range proposals {
			ids, err := json.Marshal(nonNil(p.SegmentIDs))
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO proposals (id, campaign_id, session_id, kind, target, payload, segment_ids, status, job_id, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, kind, target) DO NOTHING`,
				p.ID, p.CampaignID, p.SessionID, p.Kind, p.Target, string(p.Payload), string(ids), p.Status, p.JobID, micros(p.CreatedAt))
			if err != nil {
				return interpretError(err)
			}
			if k, _ := res.RowsAffected(); k == 1 {
				inserted = append(inserted, p)
			}
		}
		return nil
	})
	return inserted, err
}

func marshalAll(vs ...any) ([]string, error) {
	out := make([]string, len(vs))
	for i, v := range vs {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		out[i] = string(b)
	}
	return out, nil
}

// SessionSummary returns a session's summary.
func (db *DB) SessionSummary(ctx context.Context, sessionID string) (*gmc.SessionSummary, error) {
	var s gmc.SessionSummary
	var docs [7]string
	var created int64
	var approvedBy sql.NullString
	var approvedAt sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT `+summaryColumns+summaryApproval+` FROM session_summaries WHERE session_id = ?`, sessionID).Scan(
		&s.SessionID, &s.CampaignID, &s.Version, &s.Mode, &docs[0], &docs[1], &docs[2], &docs[3], &docs[4], &docs[5], &docs[6], &s.JobID, &created, &s.PlayerMode, &s.Model, &s.Fallback,
		&approvedBy, &approvedAt)
	if err != nil {
		return nil, interpretError(err)
	}
	s.CreatedAt = fromMicros(created)
	s.ApprovedBy = nullToPtr(approvedBy)
	if approvedAt.Valid {
		at := fromMicros(approvedAt.Int64)
		s.ApprovedAt = &at
	}
	for i, dst := range []any{&s.GMRecap, &s.PlayerRecap, &s.Scenes, &s.Entities, &s.PlotPoints, &s.Relationships, &s.Achievements} {
		if err := json.Unmarshal([]byte(docs[i]), dst); err != nil {
			return nil, err
		}
	}
	s.View = "gm"
	return &s, nil
}

const proposalColumns = `id, campaign_id, session_id, kind, target, payload, segment_ids, status, decided_by, decided_at, result, job_id, created_at`

func scanProposal(row interface{ Scan(...any) error }) (*gmc.Proposal, error) {
	var p gmc.Proposal
	var payload, ids string
	var result sql.NullString
	var decidedBy sql.NullString
	var decidedAt sql.NullInt64
	var created int64
	if err := row.Scan(&p.ID, &p.CampaignID, &p.SessionID, &p.Kind, &p.Target, &payload, &ids, &p.Status, &decidedBy, &decidedAt, &result,
		&p.JobID, &created); err != nil {
		return nil, interpretError(err)
	}
	p.Payload = json.RawMessage(payload)
	if err := json.Unmarshal([]byte(ids), &p.SegmentIDs); err != nil {
		return nil, err
	}
	if result.Valid {
		p.Result = json.RawMessage(result.String)
	}
	if decidedBy.Valid {
		p.DecidedBy = &decidedBy.String
	}
	p.DecidedAt, p.CreatedAt = fromNullMicros(decidedAt), fromMicros(created)
	return &p, nil
}

// Proposal returns a proposal.
func (db *DB) Proposal(ctx context.Context, id string) (*gmc.Proposal, error) {
	return scanProposal(db.read.QueryRowContext(ctx, `SELECT `+proposalColumns+` FROM proposals WHERE id = ?`, id))
}

// Proposals lists a session's proposals.
func (db *DB) Proposals(ctx context.Context, f store.ProposalFilter) ([]*gmc.Proposal, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+proposalColumns+` FROM proposals WHERE session_id = ? AND (? = '' OR status = ?) ORDER BY id`,
		f.SessionID, f.Status, f.Status)
	if err != nil {
		return nil, interpretError(err)
	}
	return collectRows(rows, scanProposal)
}

// DecideProposal records a pending proposal's decision.
func (db *DB) DecideProposal(ctx context.Context, p *gmc.Proposal, ev *gmc.Event) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		var result any
		if len(p.Result) > 0 {
			result = string(p.Result)
		}
		res, err := tx.ExecContext(ctx, `UPDATE proposals SET status = ?, decided_by = ?, decided_at = ?, result = ? WHERE id = ? AND status = 'pending'`,
			p.Status, p.DecidedBy, nullMicros(p.DecidedAt), result, p.ID)
		if err != nil {
			return interpretError(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := scanProposal(tx.QueryRowContext(ctx, `SELECT `+proposalColumns+` FROM proposals WHERE id = ?`, p.ID)); err != nil {
				return err
			}
			return gmc.ProposalDecided()
		}
		return insertEvent(ctx, tx, ev)
	})
}

// ApproveSummary marks the summary approved unless it is already.
func (db *DB) ApproveSummary(ctx context.Context, sessionID string, version int64, userID string, at time.Time, ev *gmc.Event) (bool, error) {
	approved := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var current int64
		var approvedAt sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT version, approved_at FROM session_summaries WHERE session_id = ?`, sessionID).Scan(&current, &approvedAt)
		switch {
		case err != nil:
			return interpretError(err)
		case current != version:
			return gmc.SummaryReplaced()
		case approvedAt.Valid:
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE session_summaries SET approved_by = ?, approved_at = ? WHERE session_id = ?`,
			userID, micros(at), sessionID); err != nil {
			return interpretError(err)
		}
		approved = true
		return insertEvent(ctx, tx, ev)
	})
	return approved && err == nil, err
}
