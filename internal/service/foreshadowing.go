package service

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// ForeshadowingParams plant a hint for a thread, in a session of the
// campaign or (SessionID nil) between sessions, after the latest played.
type ForeshadowingParams struct {
	Description string
	SessionID   *string
}

// CreateForeshadowing plants a hint. GM only.
func (s *Service) CreateForeshadowing(ctx context.Context, userID, plotID string, fp ForeshadowingParams) (*gmc.Foreshadowing, error) {
	p, err := s.plotForGM(ctx, userID, plotID, 0)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	f := &gmc.Foreshadowing{ID: s.newID(), CampaignID: p.CampaignID, PlotID: p.ID, Description: fp.Description, CreatedAt: now, UpdatedAt: now}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	gs, err := s.campaignSession(ctx, p.CampaignID, fp.SessionID, "body.session_id")
	if err != nil {
		return nil, err
	}
	if gs != nil {
		f.PlantedSessionID, f.PlantedSessionNumber = &gs.ID, gs.Number
	} else if f.PlantedSessionNumber, err = s.store.PlayedSessionNumber(ctx, p.CampaignID); err != nil {
		return nil, err
	}
	f.Version = 1
	if err := s.store.CreateForeshadowing(ctx, f, s.event(p.CampaignID, userID, gmc.ActionCreate, gmc.EntityForeshadowing, f.ID, nil, f)); err != nil {
		return nil, err
	}
	s.changed(ctx, foreshadowingRef(f, p, gmc.ActionCreate))
	return f, nil
}

// foreshadowing returns an item and its thread for a GM's write.
func (s *Service) foreshadowing(ctx context.Context, userID, id string, ifMatch int64) (*gmc.Foreshadowing, *gmc.PlotThread, error) {
	f, err := s.store.Foreshadowing(ctx, id)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityForeshadowing)
	}
	p, m, err := s.plot(ctx, userID, f.PlotID)
	if err != nil {
		return nil, nil, notFound(err, gmc.EntityForeshadowing)
	}
	if !f.VisibleTo(m.Role, p.Visibility) {
		return nil, nil, notFound(gmc.ErrNotFound, gmc.EntityForeshadowing)
	}
	if m.Role != gmc.RoleGM {
		return nil, nil, gmc.Errorf(gmc.ErrForbidden, "role_too_low", "only a GM can change foreshadowing")
	}
	return f, p, checkVersion(ifMatch, f.Version)
}

// ForeshadowingUpdate changes an item; nil means unchanged. Revealed
// true reveals it (in session SessionID, or between sessions), false hides
// it again; SessionID alone moves the reveal of a revealed item to
// another session.
type ForeshadowingUpdate struct {
	Description *string
	Revealed    *bool
	SessionID   *string
	IfMatch     int64
}

// UpdateForeshadowing changes or reveals an item. GM only.
func (s *Service) UpdateForeshadowing(ctx context.Context, userID, id string, upd ForeshadowingUpdate) (*gmc.Foreshadowing, error) {
	f, p, err := s.foreshadowing(ctx, userID, id, upd.IfMatch)
	if err != nil {
		return nil, err
	}
	gs, err := s.campaignSession(ctx, f.CampaignID, upd.SessionID, "body.session_id")
	if err != nil {
		return nil, err
	}
	before := *f
	now := s.clock()
	setIf(&f.Description, upd.Description)
	if err := reveal(f, upd.Revealed, gs, now); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	f.UpdatedAt = now
	after := *f
	after.Version++
	if err := s.store.UpdateForeshadowing(ctx, f, s.event(f.CampaignID, userID, gmc.ActionUpdate, gmc.EntityForeshadowing, f.ID, before, after)); err != nil {
		return nil, err
	}
	ref := foreshadowingRef(f, p, gmc.ActionUpdate)
	if before.Revealed && !f.Revealed {
		ref.Visibility = p.Visibility // players who saw it learn it is gone
	}
	s.changed(ctx, ref)
	return f, nil
}

// reveal applies the reveal part of an update: revealing records when and
// in which session, hiding again clears both.
func reveal(f *gmc.Foreshadowing, revealed *bool, gs *gmc.GameSession, now time.Time) error {
	switch {
	case revealed != nil && !*revealed:
		if gs != nil {
			return gmc.Invalid("body.session_id", "an item hidden again has no reveal session")
		}
		f.Revealed, f.RevealedSessionID, f.RevealedAt = false, nil, nil
	case revealed != nil && !f.Revealed:
		f.Revealed, f.RevealedSessionID, f.RevealedAt = true, nil, &now
		if gs != nil {
			f.RevealedSessionID = &gs.ID
		}
	case gs != nil:
		if !f.Revealed {
			return gmc.Invalid("body.session_id", "needs revealed: true")
		}
		f.RevealedSessionID = &gs.ID
	}
	return nil
}

// DeleteForeshadowing removes an item. GM only.
func (s *Service) DeleteForeshadowing(ctx context.Context, userID, id string, ifMatch int64) error {
	f, p, err := s.foreshadowing(ctx, userID, id, ifMatch)
	if err != nil {
		return err
	}
	if err := s.store.DeleteForeshadowing(ctx, f, s.event(f.CampaignID, userID, gmc.ActionDelete, gmc.EntityForeshadowing, f.ID, f, nil)); err != nil {
		return err
	}
	s.changed(ctx, foreshadowingRef(f, p, gmc.ActionDelete))
	return nil
}

// foreshadowingRef names f for change notifications: players hear of it
// once it is revealed on a thread they see.
func foreshadowingRef(f *gmc.Foreshadowing, p *gmc.PlotThread, action string) gmc.EntityRef {
	ref := gmc.EntityRef{CampaignID: f.CampaignID, Type: gmc.EntityForeshadowing, ID: f.ID, Action: action, Visibility: gmc.VisibleGM}
	if f.Revealed {
		ref.Visibility = p.Visibility
	}
	return ref
}
