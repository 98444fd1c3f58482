package storetest

import (
	"context"
	"testing"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

func testEvent(t *testing.T, open OpenFunc) {
	ctx := context.Background()
	t.Run("FilterAndPage", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		gm := mustCreateUser(t, s, "gm@example.com")
		c := mustCreateCampaign(t, s, gm, "C")
		for range 4 {
			c.Description += "x"
			if err := s.UpdateCampaign(ctx, c, newEvent(t, c.ID, gm.ID, gmc.ActionUpdate, "campaign", c.ID, c)); err != nil {
				t.Fatal(err)
			}
		}
		p := mustCreateUser(t, s, "p@example.com")
		mustAddMember(t, s, c, p, gmc.RoleObserver)

		all, _, err := s.Events(ctx, store.EventFilter{CampaignID: c.ID})
		wantErr(t, "Events", err, nil)
		if len(all) != 7 { // create, 4 updates, invite, member
			t.Fatalf("Events = %d, want 7", len(all))
		}
		for i := 1; i < len(all); i++ {
			if all[i-1].ID < all[i].ID {
				t.Errorf("events not newest first at %d", i)
			}
		}
		if all[len(all)-1].Action != gmc.ActionCreate || len(all[len(all)-1].After) == 0 {
			t.Errorf("oldest event = %+v, want the create with its after state", all[len(all)-1])
		}
		upd, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, EntityType: "campaign", EntityID: c.ID})
		if len(upd) != 5 {
			t.Errorf("campaign events = %d, want 5", len(upd))
		}
		byActor, _, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, ActorID: p.ID})
		if len(byActor) != 1 || byActor[0].EntityType != "member" {
			t.Errorf("events by player = %+v", byActor)
		}
		page1, next, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 4}})
		page2, end, _ := s.Events(ctx, store.EventFilter{CampaignID: c.ID, Page: gmc.Page{Limit: 4, Cursor: next}})
		if len(page1) != 4 || len(page2) != 3 || next == "" || end != "" || page2[0].ID != all[4].ID {
			t.Errorf("pages = %d/%d next=%q end=%q", len(page1), len(page2), next, end)
		}
	})
}
