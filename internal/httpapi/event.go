package httpapi

import (
	"context"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

type eventListInput struct {
	CampaignPath
	PageInput
	EntityType string `query:"entity_type" enum:"achievement,campaign,character,discord_webhook,file,foreshadowing,invite,keyword,location,member,plot,plot_dependency,proposal,recording,relationship,session,speakers,transcript" doc:"Only events about this kind of entity"`
	EntityID   string `query:"entity_id" format:"uuid" doc:"Only events about this entity"`
	ActorID    string `query:"actor_id" format:"uuid" doc:"Only events by this user"`
}

func (a *api) handleEventList(ctx context.Context, uid string, in *eventListInput) (*ListOutput[*gmc.Event], error) {
	items, next, err := a.svc.Events(ctx, uid, service.EventQuery{CampaignID: in.CampaignID, EntityType: in.EntityType, EntityID: in.EntityID, ActorID: in.ActorID, Page: in.page()})
	if err != nil {
		return nil, err
	}
	return list(items, next), nil
}
