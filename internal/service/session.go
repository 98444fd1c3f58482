package service

import (
	"context"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// SessionParams are a game session's editable fields.
type SessionParams struct {
	Title       string
	ScheduledAt *time.Time
	Notes       string
}

// CreateSession schedules a campaign's next session. GM only.
func (s *Service) CreateSession(ctx context.Context, userID, campaignID string, p SessionParams) (*gmc.GameSession, error) {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return nil, err
	}
	now := s.clock()
	gs := &gmc.GameSession{ID: s.newID(), CampaignID: campaignID, Title: strings.TrimSpace(p.Title), ScheduledAt: utc(p.ScheduledAt),
		Status: gmc.SessionScheduled, Notes: p.Notes, CreatedAt: now, UpdatedAt: now}
	if err := gs.Validate(); err != nil {
		return nil, err
	}
	ev := s.event(campaignID, userID, gmc.ActionCreate, gmc.EntitySession, gs.ID, nil, nil)
	if err := s.store.CreateSession(ctx, gs, ev); err != nil {
		return nil, err
	}
	s.changed(ctx, sessionRef(gs, gmc.ActionCreate))
	return gs, nil
}

func sessionRef(gs *gmc.GameSession, action string) gmc.EntityRef {
	return gmc.EntityRef{CampaignID: gs.CampaignID, Type: gmc.EntitySession, ID: gs.ID, Action: action, Visibility: gmc.VisiblePlayers}
}

// Session returns a session of a campaign the caller belongs to, with the
// caller's role there.
func (s *Service) Session(ctx context.Context, userID, sessionID string) (*gmc.GameSession, gmc.Role, error) {
	gs, err := s.store.Session(ctx, sessionID)
	if err != nil {
		return nil, "", notFound(err, gmc.EntitySession)
	}
	m, err := s.access(ctx, gs.CampaignID, userID, gmc.RoleObserver)
	if err != nil {
		return nil, "", gmc.Errorf(gmc.ErrNotFound, "session_not_found", "session not found")
	}
	return gs, m.Role, nil
}

// SessionQuery selects a campaign's game sessions; an empty Status
// matches all.
type SessionQuery struct {
	CampaignID string
	Status     gmc.SessionStatus
	Page       gmc.Page
}

// Sessions lists a campaign's sessions.
func (s *Service) Sessions(ctx context.Context, userID string, q SessionQuery) ([]*gmc.GameSession, string, error) {
	if q.Status != "" && !q.Status.Valid() {
		return nil, "", gmc.Invalid("query.status", "must be one of scheduled, live, ended")
	}
	// The store reads the membership in the list's statement.
	list, next, role, err := s.store.MemberSessions(ctx, userID, store.SessionFilter{CampaignID: q.CampaignID, Status: q.Status, Page: q.Page})
	if err != nil {
		return nil, "", accessError(err)
	}
	if err := checkRole(role, gmc.RoleObserver); err != nil {
		return nil, "", err
	}
	return list, next, nil
}

// SessionUpdate changes some of a session's fields; nil means unchanged.
type SessionUpdate struct {
	Title       *string
	ScheduledAt *time.Time
	Notes       *string
	IfMatch     int64
}

// UpdateSession changes a session's record. GM only.
func (s *Service) UpdateSession(ctx context.Context, userID, sessionID string, upd SessionUpdate) (*gmc.GameSession, error) {
	return s.changeSession(ctx, userID, sessionID, upd.IfMatch, func(gs *gmc.GameSession) error {
		if upd.Title != nil {
			gs.Title = strings.TrimSpace(*upd.Title)
		}
		if upd.ScheduledAt != nil {
			gs.ScheduledAt = utc(upd.ScheduledAt)
		}
		setIf(&gs.Notes, upd.Notes)
		return gs.Validate()
	})
}

// StartSession makes a scheduled session live. GM only; one live session
// per campaign.
func (s *Service) StartSession(ctx context.Context, userID, sessionID string) (*gmc.GameSession, error) {
	gs, err := s.changeSession(ctx, userID, sessionID, 0, func(gs *gmc.GameSession) error {
		if gs.Status != gmc.SessionScheduled {
			return gmc.Errorf(gmc.ErrConflict, "session_not_scheduled", "only a scheduled session can start; this one is %s", gs.Status)
		}
		now := s.clock()
		gs.Status, gs.StartedAt = gmc.SessionLive, &now
		return nil
	})
	if err == nil {
		s.live.Warm(ctx, gs.CampaignID)
	}
	return gs, err
}

// EndSession ends a live session and disconnects its clients. GM only.
func (s *Service) EndSession(ctx context.Context, userID, sessionID string) (*gmc.GameSession, error) {
	gs, err := s.changeSessionTx(ctx, userID, sessionID, 0, func(gs *gmc.GameSession) error {
		if gs.Status != gmc.SessionLive {
			return gmc.Errorf(gmc.ErrConflict, "session_not_live", "only a live session can end; this one is %s", gs.Status)
		}
		now := s.clock()
		gs.Status, gs.EndedAt = gmc.SessionEnded, &now
		return nil
	}, func(tx store.Store, gs *gmc.GameSession) error {
		// The summary job is queued with the end, in its transaction: a
		// session never ends without one, nor gets one without ending.
		if s.jobs == nil {
			return nil
		}
		_, err := s.jobs.EnqueueTx(ctx, tx, SummarizeArgs{SessionID: gs.ID}, summaryJobOpts(gs, userID))
		return err
	})
	if err == nil {
		s.live.Close(ctx, sessionID, "session ended")
	}
	return gs, err
}

// changeSession loads a session for a GM, applies change and stores it.
func (s *Service) changeSession(ctx context.Context, userID, sessionID string, ifMatch int64, change func(*gmc.GameSession) error) (*gmc.GameSession, error) {
	return s.changeSessionTx(ctx, userID, sessionID, ifMatch, change, nil)
}

// changeSessionTx is changeSession that, when also is set, runs it after
// the write and in the write's transaction.
func (s *Service) changeSessionTx(ctx context.Context, userID, sessionID string, ifMatch int64, change func(*gmc.GameSession) error,
	also func(tx store.Store, gs *gmc.GameSession) error) (*gmc.GameSession, error) {
	gs, role, err := s.Session(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	if role != gmc.RoleGM {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can change sessions")
	}
	if err := checkVersion(ifMatch, gs.Version); err != nil {
		return nil, err
	}
	before := *gs
	if err := change(gs); err != nil {
		return nil, err
	}
	gs.UpdatedAt = s.clock()
	after := *gs
	after.Version++
	ev := s.event(gs.CampaignID, userID, gmc.ActionUpdate, gmc.EntitySession, gs.ID, before, after)
	if also == nil {
		if err := s.store.UpdateSession(ctx, gs, ev); err != nil {
			return nil, err
		}
	} else {
		err := s.store.InTx(ctx, func(tx store.Store) error {
			if err := tx.UpdateSession(ctx, gs, ev); err != nil {
				return err
			}
			return also(tx, gs)
		})
		if err != nil {
			return nil, err
		}
	}
	s.changed(ctx, sessionRef(gs, gmc.ActionUpdate))
	return gs, nil
}

// DeleteSession removes a session that is not live. GM only.
func (s *Service) DeleteSession(ctx context.Context, userID, sessionID string) error {
	gs, role, err := s.Session(ctx, userID, sessionID)
	if err != nil {
		return err
	}
	if role != gmc.RoleGM {
		return gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can delete sessions")
	}
	if gs.Status == gmc.SessionLive {
		return gmc.Errorf(gmc.ErrConflict, "session_live", "end the session before deleting it")
	}
	if err := s.store.DeleteSession(ctx, gs.ID, s.event(gs.CampaignID, userID, gmc.ActionDelete, gmc.EntitySession, gs.ID, gs, nil)); err != nil {
		return err
	}
	s.changed(ctx, sessionRef(gs, gmc.ActionDelete))
	return nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}
