package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
)

// GraphOutput answers with part of the relationship graph.
type GraphOutput struct {
	Body *gmc.Graph
}

type graphInput struct {
	CampaignPath
	Center string `query:"center" format:"uuid" required:"true" doc:"The character at the centre"`
	Depth  int    `query:"depth" minimum:"1" maximum:"4" default:"2" doc:"How many relationships away to go"`
}

func (a *api) handleGraph(ctx context.Context, uid string, in *graphInput) (*GraphOutput, error) {
	g, err := a.svc.Graph(ctx, uid, in.CampaignID, in.Center, in.Depth)
	if err != nil {
		return nil, err
	}
	return &GraphOutput{Body: g}, nil
}

type graphPathInput struct {
	CampaignPath
	From string `query:"from" format:"uuid" required:"true" doc:"The first character"`
	To   string `query:"to" format:"uuid" required:"true" doc:"The last character"`
}

func (a *api) handleGraphPath(ctx context.Context, uid string, in *graphPathInput) (*GraphOutput, error) {
	g, err := a.svc.GraphPath(ctx, uid, in.CampaignID, in.From, in.To)
	if err != nil {
		return nil, err
	}
	return &GraphOutput{Body: g}, nil
}
