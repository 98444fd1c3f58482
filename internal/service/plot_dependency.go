package service

import (
	"context"
	"errors"

	"github.com/gmc-project/gmc/internal/gmc"
)

// AddPlotDependency makes the thread plotID depend on dependsOnID, both of
// one campaign. GM only. ErrConflict (naming the cycle) when the edge would
// close a cycle.
func (s *Service) AddPlotDependency(ctx context.Context, userID, plotID, dependsOnID string) (*gmc.PlotDependency, error) {
	p, err := s.plotForGM(ctx, userID, plotID, 0)
	if err != nil {
		return nil, err
	}
	up, err := s.store.Plot(ctx, dependsOnID, false)
	if errors.Is(err, gmc.ErrNotFound) || (err == nil && up.CampaignID != p.CampaignID) {
		return nil, gmc.Errorf(gmc.ErrNotFound, "depends_on_not_found", "depends_on is not a plot thread of this campaign")
	} else if err != nil {
		return nil, err
	}
	d := &gmc.PlotDependency{CampaignID: p.CampaignID, PlotID: p.ID, DependsOnID: up.ID, CreatedAt: s.clock()}
	if err := s.store.AddPlotDependency(ctx, d, s.event(p.CampaignID, userID, gmc.ActionCreate, gmc.EntityPlotDependency, p.ID, nil, d)); err != nil {
		return nil, err
	}
	// The dependent thread's blocked_by changed.
	s.changed(ctx, plotRef(p, gmc.ActionUpdate))
	return d, nil
}

// RemovePlotDependency removes the edge plotID → dependsOnID. GM only.
func (s *Service) RemovePlotDependency(ctx context.Context, userID, plotID, dependsOnID string) error {
	p, err := s.plotForGM(ctx, userID, plotID, 0)
	if err != nil {
		return err
	}
	d := &gmc.PlotDependency{CampaignID: p.CampaignID, PlotID: p.ID, DependsOnID: dependsOnID}
	if err := s.store.RemovePlotDependency(ctx, d, s.event(p.CampaignID, userID, gmc.ActionDelete, gmc.EntityPlotDependency, p.ID, d, nil)); err != nil {
		return notFound(err, "dependency")
	}
	s.changed(ctx, plotRef(p, gmc.ActionUpdate))
	return nil
}

// PlotDependencies returns the threads upstream and downstream of a
// thread, as the caller may see them.
func (s *Service) PlotDependencies(ctx context.Context, userID, id string) (*gmc.PlotDependencies, error) {
	p, m, err := s.plot(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	return s.store.PlotDependencies(ctx, p.ID, m.Role != gmc.RoleGM)
}
