package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// PlotDependenciesOutput answers with a thread's upstream and downstream threads.
type PlotDependenciesOutput struct {
	Body *gmc.PlotDependencies
}

func (a *api) handlePlotDependencies(ctx context.Context, uid string, in *PlotPath) (*PlotDependenciesOutput, error) {
	deps, err := a.svc.PlotDependencies(ctx, uid, in.PlotID)
	if err != nil {
		return nil, err
	}
	return &PlotDependenciesOutput{Body: deps}, nil
}

type plotDependencyAddInput struct {
	PlotPath
	Body struct {
		DependsOn string `json:"depends_on" format:"uuid" doc:"The thread that must be resolved first"`
	}
}

// PlotDependencyOutput answers with a new dependency.
type PlotDependencyOutput struct {
	Body *gmc.PlotDependency
}

func (a *api) handlePlotDependencyAdd(ctx context.Context, uid string, in *plotDependencyAddInput) (*PlotDependencyOutput, error) {
	d, err := a.svc.AddPlotDependency(ctx, uid, in.PlotID, in.Body.DependsOn)
	if err != nil {
		return nil, err
	}
	return &PlotDependencyOutput{Body: d}, nil
}

// PlotDependencyPath names one dependency edge in a path.
type PlotDependencyPath struct {
	PlotID      string `path:"plot_id" format:"uuid" doc:"The dependent thread"`
	DependsOnID string `path:"depends_on_id" format:"uuid" doc:"The thread it depends on"`
}

func (a *api) handlePlotDependencyRemove(ctx context.Context, uid string, in *PlotDependencyPath) (*struct{}, error) {
	return nil, a.svc.RemovePlotDependency(ctx, uid, in.PlotID, in.DependsOnID)
}
