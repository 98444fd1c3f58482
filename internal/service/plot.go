package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// Who may do what with plot threads:
//   - GMs create, change and delete threads, their dependencies and their
//     foreshadowing, and read reminders.
//   - Players and observers read the threads with visibility "players" as
//     players may see them: without links to hidden characters and
//     locations, without hidden blockers or dependencies, and with only the
//     revealed foreshadowing. A GM-only thread does not exist for them (404).
//
// A thread is "touched" when its status, progress or milestones change:
// its LastTouchedSessionNumber becomes the number of the session the
// change names (progress updates may name one), or else the campaign's
// latest played session's; creating a thread touches it too. Reminders
// compare it with the latest played session (see gmc.PlotReminders).

// PlotParams are a new thread's fields. An empty Status means "hook" and an
// empty Visibility "gm". Milestones without an id are new.
type PlotParams struct {
	Title        string
	Summary      string
	Status       gmc.PlotStatus
	Progress     int
	Milestones   []gmc.Milestone
	CharacterIDs []string
	LocationIDs  []string
	Visibility   gmc.Visibility
}

// PlotView is a thread with the foreshadowing the caller may see.
type PlotView struct {
	gmc.PlotThread
	Foreshadowing []*gmc.Foreshadowing `json:"foreshadowing"`
}

// CreatePlot adds a thread to a campaign. GM only.
func (s *Service) CreatePlot(ctx context.Context, userID, campaignID string, pp PlotParams) (*gmc.PlotThread, error) {
	if _, err := s.access(ctx, campaignID, userID, gmc.RoleGM); err != nil {
		return nil, err
	}
	now := s.clock()
	p := &gmc.PlotThread{ID: s.newID(), CampaignID: campaignID, Title: pp.Title, Summary: pp.Summary, Status: pp.Status, Progress: pp.Progress,
		CharacterIDs: pp.CharacterIDs, LocationIDs: pp.LocationIDs, Visibility: pp.Visibility, CreatedAt: now, UpdatedAt: now}
	if p.Status == "" {
		p.Status = gmc.PlotHook
	}
	if p.Visibility == "" {
		p.Visibility = gmc.VisibleGM
	}
	var err error
	if p.Milestones, err = mergeMilestones(nil, pp.Milestones, now, s.newID); err != nil {
		return nil, err
	}
	if err := s.checkPlot(ctx, p); err != nil {
		return nil, err
	}
	if err := s.touch(ctx, p, nil); err != nil {
		return nil, err
	}
	p.Version = 1
	if err := s.store.CreatePlot(ctx, p, s.event(campaignID, userID, gmc.ActionCreate, gmc.EntityPlot, p.ID, nil, p)); err != nil {
		return nil, err
	}
	s.changed(ctx, plotRef(p, gmc.ActionCreate))
	return p, nil
}

// plot returns a thread the caller may see, as they may see it, with the
// caller's membership. A thread that does not exist, is in a campaign the
// caller is not in, or is hidden from the caller is ErrNotFound alike.
func (s *Service) plot(ctx context.Context, userID, id string) (*gmc.PlotThread, *gmc.Member, error) {
	p, err := s.store.Plot(ctx, id, false)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityPlot)
	}
	m, err := s.access(ctx, p.CampaignID, userID, gmc.RoleObserver)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityPlot)
	}
	if !p.Visibility.VisibleTo(m.Role) {
		return nil, nil, notFound(gmc.ErrNotFound, gmc.EntityPlot)
	}
	if m.Role != gmc.RoleGM {
		if p, err = s.store.Plot(ctx, id, true); err != nil {
			return nil, nil, notFound(err, gmc.EntityPlot)
		}
	}
	return p, m, nil
}

// plotForGM is plot for a write: the caller must be a GM.
func (s *Service) plotForGM(ctx context.Context, userID, id string, ifMatch int64) (*gmc.PlotThread, error) {
	p, m, err := s.plot(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if m.Role != gmc.RoleGM {
		return nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can change plot threads")
	}
	return p, checkVersion(ifMatch, p.Version)
}

// Plot returns a thread with its foreshadowing.
func (s *Service) Plot(ctx context.Context, userID, id string) (*PlotView, error) {
	p, m, err := s.plot(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	fs, err := s.store.Foreshadowings(ctx, p.ID, m.Role != gmc.RoleGM)
	if err != nil {
		return nil, err
	}
	return &PlotView{PlotThread: *p, Foreshadowing: fs}, nil
}

// PlotQuery selects a campaign's plot threads; empty fields match all.
// The caller's role decides which threads, links and blockers are
// visible.
type PlotQuery struct {
	CampaignID string
	Status     gmc.PlotStatus
	// CharacterID and LocationID select the threads linked to them.
	CharacterID string
	LocationID  string
	Page        gmc.Page
}

// Plots lists the threads of a campaign the caller may see.
func (s *Service) Plots(ctx context.Context, userID string, q PlotQuery) ([]*gmc.PlotThread, string, error) {
	if q.Status != "" && !q.Status.Valid() {
		return nil, "", gmc.Invalid("query.status", "must be one of hook, active, stalled, resolved, abandoned")
	}
	// The store reads the membership in the list's statement and shows
	// players only what they may see.
	list, next, role, err := s.store.MemberPlots(ctx, userID, store.PlotFilter{CampaignID: q.CampaignID, Status: q.Status,
		CharacterID: q.CharacterID, LocationID: q.LocationID, Page: q.Page})
	if err != nil {
		return nil, "", accessError(err)
	}
	if err := checkRole(role, gmc.RoleObserver); err != nil {
		return nil, "", err
	}
	return list, next, nil
}

// PlotUpdate changes some of a thread's fields; nil means unchanged.
// Milestones replaces the list: items with an id keep (and may change)
// that milestone, items without one are new, and missing ones go.
type PlotUpdate struct {
	Title        *string
	Summary      *string
	Status       *gmc.PlotStatus
	Progress     *int
	Milestones   *[]gmc.Milestone
	CharacterIDs *[]string
	LocationIDs  *[]string
	Visibility   *gmc.Visibility
	IfMatch      int64
}

// UpdatePlot changes a thread. GM only.
func (s *Service) UpdatePlot(ctx context.Context, userID, id string, upd PlotUpdate) (*gmc.PlotThread, error) {
	p, err := s.plotForGM(ctx, userID, id, upd.IfMatch)
	if err != nil {
		return nil, err
	}
	before := clonePlot(p)
	now := s.clock()
	setIf(&p.Title, upd.Title)
	setIf(&p.Summary, upd.Summary)
	setIf(&p.Status, upd.Status)
	setIf(&p.Progress, upd.Progress)
	setIf(&p.CharacterIDs, upd.CharacterIDs)
	setIf(&p.LocationIDs, upd.LocationIDs)
	setIf(&p.Visibility, upd.Visibility)
	if upd.Milestones != nil {
		if p.Milestones, err = mergeMilestones(before.Milestones, *upd.Milestones, now, s.newID); err != nil {
			return nil, err
		}
	}
	if err := s.checkPlot(ctx, p); err != nil {
		return nil, err
	}
	if p.StateChanged(before) {
		if err := s.touch(ctx, p, nil); err != nil {
			return nil, err
		}
	}
	return p, s.savePlot(ctx, userID, before, p, now)
}

// savePlot writes p, changed from before, with its audit event.
func (s *Service) savePlot(ctx context.Context, userID string, before, p *gmc.PlotThread, now time.Time) error {
	p.UpdatedAt = now
	after := clonePlot(p)
	after.Version++
	if err := s.store.UpdatePlot(ctx, p, s.event(p.CampaignID, userID, gmc.ActionUpdate, gmc.EntityPlot, p.ID, before, after)); err != nil {
		return err
	}
	ref := plotRef(p, gmc.ActionUpdate)
	if before.Visibility == gmc.VisiblePlayers {
		ref.Visibility = gmc.VisiblePlayers // players drop a thread hidden from them now
	}
	s.changed(ctx, ref)
	return nil
}

// DeletePlot removes a thread with its dependencies and foreshadowing. GM only.
func (s *Service) DeletePlot(ctx context.Context, userID, id string, ifMatch int64) error {
	p, err := s.plotForGM(ctx, userID, id, ifMatch)
	if err != nil {
		return err
	}
	if err := s.store.DeletePlot(ctx, p, s.event(p.CampaignID, userID, gmc.ActionDelete, gmc.EntityPlot, p.ID, p, nil)); err != nil {
		return err
	}
	s.changed(ctx, plotRef(p, gmc.ActionDelete))
	return nil
}

// checkPlot normalises and validates p, and checks that the characters and
// locations it links to are in its campaign.
func (s *Service) checkPlot(ctx context.Context, p *gmc.PlotThread) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	var v gmc.Validator
	for _, id := range p.CharacterIDs {
		c, err := s.store.Character(ctx, id)
		if errors.Is(err, gmc.ErrNotFound) || (err == nil && c.CampaignID != p.CampaignID) {
			v.Add("body.character_ids", "%s is not a character of this campaign", id)
		} else if err != nil {
			return err
		}
	}
	for _, id := range p.LocationIDs {
		l, err := s.store.Location(ctx, id)
		if errors.Is(err, gmc.ErrNotFound) || (err == nil && l.CampaignID != p.CampaignID) {
			v.Add("body.location_ids", "%s is not a location of this campaign", id)
		} else if err != nil {
			return err
		}
	}
	return v.Err()
}

// touch records that p's state changed in session gs, or (gs nil) between
// sessions, after the campaign's latest played one.
func (s *Service) touch(ctx context.Context, p *gmc.PlotThread, gs *gmc.GameSession) error {
	if gs != nil {
		p.LastTouchedSessionID, p.LastTouchedSessionNumber = &gs.ID, gs.Number
		return nil
	}
	n, err := s.store.PlayedSessionNumber(ctx, p.CampaignID)
	p.LastTouchedSessionID, p.LastTouchedSessionNumber = nil, n
	return err
}

// campaignSession returns the session id names, which must be one of the
// campaign's; nil id means none.
func (s *Service) campaignSession(ctx context.Context, campaignID string, id *string, location string) (*gmc.GameSession, error) {
	if id == nil {
		return nil, nil
	}
	gs, err := s.store.Session(ctx, *id)
	if errors.Is(err, gmc.ErrNotFound) || (err == nil && gs.CampaignID != campaignID) {
		return nil, gmc.Invalid(location, "is not a session of this campaign")
	}
	return gs, err
}

// mergeMilestones turns the milestones a client sent into the thread's
// new list: an item with an id must be one of before (it keeps when it was
// completed), one without gets a new id; completion times are the
// server's.
func mergeMilestones(before, in []gmc.Milestone, now time.Time, newID func() string) ([]gmc.Milestone, error) {
	var v gmc.Validator
	seen := map[string]bool{}
	out := make([]gmc.Milestone, len(in))
	for i, m := range in {
		j := slices.IndexFunc(before, func(b gmc.Milestone) bool { return b.ID == m.ID })
		switch {
		case m.ID == "":
			m.ID = newID()
		case j < 0:
			v.Add(milestoneField(i, "id"), "is not a milestone of this thread; leave it out for a new one")
		case seen[m.ID]:
			v.Add(milestoneField(i, "id"), "appears twice")
		}
		seen[m.ID] = true
		m.DoneAt, m.DoneSessionID = nil, nil
		if m.Done && j >= 0 && before[j].Done {
			m.DoneAt, m.DoneSessionID = before[j].DoneAt, before[j].DoneSessionID
		} else if m.Done {
			m.DoneAt = &now
		}
		out[i] = m
	}
	return out, v.Err()
}

func milestoneField(i int, name string) string {
	return fmt.Sprintf("body.milestones[%d].%s", i, name)
}

// clonePlot copies p deeply enough that changing the copy's lists leaves
// p alone.
func clonePlot(p *gmc.PlotThread) *gmc.PlotThread {
	c := *p
	c.Milestones = slices.Clone(p.Milestones)
	c.CharacterIDs, c.LocationIDs, c.BlockedBy = slices.Clone(p.CharacterIDs), slices.Clone(p.LocationIDs), slices.Clone(p.BlockedBy)
	return &c
}

func plotRef(p *gmc.PlotThread, action string) gmc.EntityRef {
	return gmc.EntityRef{CampaignID: p.CampaignID, Type: gmc.EntityPlot, ID: p.ID, Action: action, Visibility: p.Visibility}
}
