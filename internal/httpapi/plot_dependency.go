package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
)

func (a *api) plotDependencyRoutes(h huma.API) {
	const get, post, del = http.MethodGet, http.MethodPost, http.MethodDelete
	register(h, operation(get, "/plots/{plot_id}/dependencies", "get-plot-dependencies", "The threads this one waits on (upstream) and that wait on it (downstream)", "plots"), a.handlePlotDependencies, a)
	register(h, operation(post, "/plots/{plot_id}/dependencies", "add-plot-dependency", "Make the thread depend on another; 409 naming the cycle it would close (GM only)", "plots"), a.handlePlotDependencyAdd, a)
	register(h, operation(del, "/plots/{plot_id}/dependencies/{depends_on_id}", "remove-plot-dependency", "Remove a dependency (GM only)", "plots"), a.handlePlotDependencyRemove, a)
}

type plotDependenciesOutput struct {
	Body *gmc.PlotDependencies
}

func (a *api) handlePlotDependencies(ctx context.Context, in *PlotPath) (*plotDependenciesOutput, error) {
	uid, err := a.user(ctx)
	if err != nil {
		return nil, err
	}
	deps, err := a.svc.PlotDependencies(ctx, uid, in.PlotID)
	if err != nil {
		return nil, err
	}
	return &plotDependenciesOutput{Body: deps}, nil
}

type plotDependencyAddInput struct {
	PlotPath
	Body struct {
		DependsOn string `json:"depends_on" format:"uuid" doc:"The thread that must be resolved first"`
	}
}

type plotDependencyOutput struct {
	Body *gmc.PlotDependency
}

func (a *api) handlePlotDependencyAdd(ctx context.Context, in *plotDependencyAddInput) (*plotDependencyOutput, error) {
	uid, err := a.user(ctx)
	if err != nil {
		return nil, err
	}
	d, err := a.svc.AddPlotDependency(ctx, uid, in.PlotID, in.Body.DependsOn)
	if err != nil {
		return nil, err
	}
	return &plotDependencyOutput{Body: d}, nil
}

// PlotDependencyPath names one dependency edge in a path.
type PlotDependencyPath struct {
	PlotID      string `path:"plot_id" format:"uuid" doc:"The dependent thread"`
	DependsOnID string `path:"depends_on_id" format:"uuid" doc:"The thread it depends on"`
}

func (a *api) handlePlotDependencyRemove(ctx context.Context, in *PlotDependencyPath) (*struct{}, error) {
	uid, err := a.user(ctx)
	if err != nil {
		return nil, err
	}
	return nil, a.svc.RemovePlotDependency(ctx, uid, in.PlotID, in.DependsOnID)
}
