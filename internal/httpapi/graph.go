package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
)

func (a *api) graphRoutes(h huma.API) {
	register(h, operation(http.MethodGet, "/campaigns/{campaign_id}/graph", "get-graph", "The relationships around a character, as nodes and edges", "relationships"), a.handleGraph, a)
	register(h, operation(http.MethodGet, "/campaigns/{campaign_id}/graph/path", "get-graph-path", "A shortest chain of relationships between two characters", "relationships"), a.handleGraphPath, a)
}

type graphOutput struct {
	Body *gmc.Graph
}

type graphInput struct {
	CampaignPath
	Center string `query:"center" format:"uuid" required:"true" doc:"The character at the centre"`
	Depth  int    `query:"depth" minimum:"1" maximum:"4" default:"2" doc:"How many relationships away to go"`
}

func (a *api) handleGraph(ctx context.Context, in *graphInput) (*graphOutput, error) {
	uid, err := a.user(ctx)
	if err != nil {
		return nil, err
	}
	g, err := a.svc.Graph(ctx, uid, in.CampaignID, in.Center, in.Depth)
	if err != nil {
		return nil, err
	}
	return &graphOutput{Body: g}, nil
}

type graphPathInput struct {
	CampaignPath
	From string `query:"from" format:"uuid" required:"true" doc:"The first character"`
	To   string `query:"to" format:"uuid" required:"true" doc:"The last character"`
}

func (a *api) handleGraphPath(ctx context.Context, in *graphPathInput) (*graphOutput, error) {
	uid, err := a.user(ctx)
	if err != nil {
		return nil, err
	}
	g, err := a.svc.GraphPath(ctx, uid, in.CampaignID, in.From, in.To)
	if err != nil {
		return nil, err
	}
	return &graphOutput{Body: g}, nil
}
