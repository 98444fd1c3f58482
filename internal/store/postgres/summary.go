package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

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
	err = db.tx(ctx, func(tx pgx.Tx) error {
		inserted = nil
		if err := lockCampaign(ctx, tx, s.CampaignID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM game_sessions WHERE id = $1 AND campaign_id = $2`, s.SessionID, s.CampaignID).Scan(&n); err != nil {
			return interpretError(err)
		}
		if n == 0 {
			return gmc.ErrNotFound
		}
		// The campaign's lock orders two summaries of one session.
		var version int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) + 1 FROM session_summaries WHERE session_id = $1`, s.SessionID).Scan(&version); err != nil {
			return interpretError(err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO session_summaries (`+summaryColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT (session_id) DO UPDATE SET version = excluded.version, mode = excluded.mode, gm_recap = excluded.gm_recap,
			player_recap = excluded.player_recap, scenes = excluded.scenes, entities = excluded.entities, plot_points = excluded.plot_points,
			relationship_changes = excluded.relationship_changes, achievements = excluded.achievements, job_id = excluded.job_id,
			created_at = excluded.created_at, player_mode = excluded.player_mode, model = excluded.model, fallback = excluded.fallback,
			approved_by = NULL, approved_at = NULL`,
			s.SessionID, s.CampaignID, version, s.Mode, docs[0], docs[1], docs[2], docs[3], docs[4], docs[5], docs[6], s.JobID, s.CreatedAt, s.PlayerMode, s.Model, s.Fallback)
		if err != nil {
			return interpretError(err)
		}
		s.Version = version
		for _, p := range proposals {
			ids, err := json.Marshal(nonNil(p.SegmentIDs))
			if err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `INSERT INTO proposals (id, campaign_id, session_id, kind, target, payload, segment_ids, status, job_id, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (session_id, kind, target) DO NOTHING`,
				p.ID, p.CampaignID, p.SessionID, p.Kind, p.Target, string(p.Payload), string(ids), p.Status, p.JobID, p.CreatedAt)
			if err != nil {
				return interpretError(err)
			}
			if tag.RowsAffected() == 1 {
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
	var docs [7][]byte
	err := db.q.QueryRow(ctx, `SELECT `+summaryColumns+summaryApproval+` FROM session_summaries WHERE session_id = $1`, sessionID).Scan(
		&s.SessionID, &s.CampaignID, &s.Version, &s.Mode, &docs[0], &docs[1], &docs[2], &docs[3], &docs[4], &docs[5], &docs[6], &s.JobID, &s.CreatedAt, &s.PlayerMode, &s.Model, &s.Fallback,
		&s.ApprovedBy, &s.ApprovedAt)
	if err != nil {
		return nil, interpretError(err)
	}
	s.CreatedAt = s.CreatedAt.UTC()
	if s.ApprovedAt != nil {
		at := s.ApprovedAt.UTC()
		s.ApprovedAt = &at
	}
	for i, dst := range []any{&s.GMRecap, &s.PlayerRecap, &s.Scenes, &s.Entities, &s.PlotPoints, &s.Relationships, &s.Achievements} {
		if err := json.Unmarshal(docs[i], dst); err != nil {
			return nil, err
		}
	}
	s.View = "gm"
	return &s, nil
}

const proposalColumns = `id, campaign_id, session_id, kind, target, payload, segment_ids, status, decided_by, decided_at, result, job_id, created_at`

func scanProposal(row pgx.Row) (*gmc.Proposal, error) {
	var p gmc.Proposal
	var payload, ids, result []byte
	if err := row.Scan(&p.ID, &p.CampaignID, &p.SessionID, &p.Kind, &p.Target, &payload, &ids, &p.Status, &p.DecidedBy, &p.DecidedAt, &result,
		&p.JobID, &p.CreatedAt); err != nil {
		return nil, interpretError(err)
	}
	p.Payload = compactJSON(payload)
	if err := json.Unmarshal(ids, &p.SegmentIDs); err != nil {
		return nil, err
	}
	if len(result) > 0 {
		p.Result = compactJSON(result)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	if p.DecidedAt != nil {
		at := p.DecidedAt.UTC()
		p.DecidedAt = &at
	}
	return &p, nil
}

// Proposal returns a proposal.
func (db *DB) Proposal(ctx context.Context, id string) (*gmc.Proposal, error) {
	return scanProposal(db.q.QueryRow(ctx, `SELECT `+proposalColumns+` FROM proposals WHERE id = $1`, id))
}

// Proposals lists a session's proposals.
func (db *DB) Proposals(ctx context.Context, f store.ProposalFilter) ([]*gmc.Proposal, error) {
	rows, err := db.q.Query(ctx, `SELECT `+proposalColumns+` FROM proposals WHERE session_id = $1 AND ($2 = '' OR status = $2) ORDER BY id`,
		f.SessionID, string(f.Status))
	if err != nil {
		return nil, interpretError(err)
	}
	return collect(rows, scanProposal)
}

// DecideProposal records a pending proposal's decision.
func (db *DB) DecideProposal(ctx context.Context, p *gmc.Proposal, ev *gmc.Event) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockCampaign(ctx, tx, p.CampaignID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE proposals SET status = $1, decided_by = $2, decided_at = $3, result = $4 WHERE id = $5 AND status = 'pending'`,
			p.Status, p.DecidedBy, p.DecidedAt, jsonArg(p.Result), p.ID)
		if err != nil {
			return interpretError(err)
		}
		if tag.RowsAffected() == 0 {
			if _, err := scanProposal(tx.QueryRow(ctx, `SELECT `+proposalColumns+` FROM proposals WHERE id = $1`, p.ID)); err != nil {
				return err
			}
			return gmc.ProposalDecided()
		}
		return insertEvent(ctx, tx, ev)
	})
}

// compactJSON undoes jsonb's spacing, so that clients get the same bytes
// from either database.
func compactJSON(b []byte) json.RawMessage {
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return b
	}
	return out.Bytes()
}

// ApproveSummary marks the summary approved unless it is already.
func (db *DB) ApproveSummary(ctx context.Context, sessionID string, version int64, userID string, at time.Time, ev *gmc.Event) (bool, error) {
	approved := false
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var current int64
		var approvedAt *time.Time
		// FOR UPDATE: of two approvals at once, the second waits and
		// then finds the first's.
		err := tx.QueryRow(ctx, `SELECT version, approved_at FROM session_summaries WHERE session_id = $1 FOR UPDATE`, sessionID).Scan(&current, &approvedAt)
		switch {
		case err != nil:
			return interpretError(err)
		case current != version:
			return gmc.SummaryReplaced()
		case approvedAt != nil:
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE session_summaries SET approved_by = $1, approved_at = $2 WHERE session_id = $3`,
			userID, at, sessionID); err != nil {
			return interpretError(err)
		}
		approved = true
		return insertEvent(ctx, tx, ev)
	})
	return approved && err == nil, err
}
