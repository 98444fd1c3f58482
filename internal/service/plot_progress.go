package service

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// ProgressParams move a thread on: its progress and status, optionally
// one milestone's completion (Completed defaults to true when MilestoneID
// is given), in a session of the campaign or (SessionID nil) between
// sessions.
type ProgressParams struct {
	Progress    int
	Status      gmc.PlotStatus
	MilestoneID *string
	Completed   *bool
	SessionID   *string
	IfMatch     int64
}

// UpdatePlotProgress records progress on a thread and touches it. GM only.
func (s *Service) UpdatePlotProgress(ctx context.Context, userID, id string, pp ProgressParams) (*gmc.PlotThread, error) {
	p, err := s.plotForGM(ctx, userID, id, pp.IfMatch)
	if err != nil {
		return nil, err
	}
	gs, err := s.campaignSession(ctx, p.CampaignID, pp.SessionID, "body.session_id")
	if err != nil {
		return nil, err
	}
	before := clonePlot(p)
	now := s.clock()
	p.Progress, p.Status = pp.Progress, pp.Status
	if err := p.ValidateState(); err != nil {
		return nil, err
	}
	if err := completeMilestone(p, pp, now, gs); err != nil {
		return nil, err
	}
	if err := s.touch(ctx, p, gs); err != nil {
		return nil, err
	}
	return p, s.savePlot(ctx, userID, before, p, now)
}

// completeMilestone applies the milestone part of a progress update.
func completeMilestone(p *gmc.PlotThread, pp ProgressParams, now time.Time, gs *gmc.GameSession) error {
	if pp.MilestoneID == nil {
		if pp.Completed != nil {
			return gmc.Invalid("body.completed", "needs milestone_id")
		}
		return nil
	}
	i := p.Milestone(*pp.MilestoneID)
	if i < 0 {
		return gmc.Invalid("body.milestone_id", "is not a milestone of this thread")
	}
	m := &p.Milestones[i]
	done := pp.Completed == nil || *pp.Completed
	switch {
	case !done:
		m.Done, m.DoneAt, m.DoneSessionID = false, nil, nil
	case !m.Done:
		m.Done, m.DoneAt, m.DoneSessionID = true, &now, nil
		if gs != nil {
			m.DoneSessionID = &gs.ID
		}
	}
	return nil
}

// PlotStatusView is where a thread stands.
type PlotStatusView struct {
	ID                       string          `json:"id"`
	Status                   gmc.PlotStatus  `json:"status"`
	Progress                 int             `json:"progress"`
	Milestones               []gmc.Milestone `json:"milestones"`
	BlockedBy                []gmc.PlotRef   `json:"blocked_by"`
	LastTouchedSessionNumber int             `json:"last_touched_session_number"`
	Version                  int64           `json:"version"`
}

// PlotStatus returns where a thread stands, as the caller may see it.
func (s *Service) PlotStatus(ctx context.Context, userID, id string) (*PlotStatusView, error) {
	p, _, err := s.plot(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	return &PlotStatusView{ID: p.ID, Status: p.Status, Progress: p.Progress, Milestones: p.Milestones, BlockedBy: p.BlockedBy,
		LastTouchedSessionNumber: p.LastTouchedSessionNumber, Version: p.Version}, nil
}

// PlotReminders lists what a GM should not forget: hooks and active
// threads, and foreshadowing, left alone for the campaign's
// settings.reminder_sessions played sessions or more. GM only.
func (s *Service) PlotReminders(ctx context.Context, userID, campaignID string) (*gmc.PlotReminders, error) {
	// The membership comes with the campaign, whose settings the
	// reminders need.
	c, role, err := s.store.MemberCampaign(ctx, campaignID, userID)
	if err != nil {
		return nil, accessError(err)
	}
	if err := checkRole(role, gmc.RoleGM); err != nil {
		return nil, err
	}
	n := c.Settings.ReminderSessions
	if n < 1 {
		n = gmc.DefaultCampaignSettings().ReminderSessions
	}
	return s.store.PlotReminders(ctx, campaignID, n)
}
