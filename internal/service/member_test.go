package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

// TestRemoveMemberReleasesTheirCharacters removes a player, who leaves or
// is removed by the GM: their PC stays with no owner, the change is
// audited with the owner before and after, and announced; other
// characters are untouched.
func TestRemoveMemberReleasesTheirCharacters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// by picks who removes the player.
		by func(tb *table) string
	}{
		{"PlayerLeaves", func(tb *table) string { return tb.player.ID }},
		{"GMRemovesPlayer", func(tb *table) string { return tb.gm.ID }},
	}
	for _, be := range storeBackends {
		for _, tt := range tests {
			t.Run(be.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				tb := newTable(t, be.open(t))
				ok(tb.svc.StartSession(ctx, tb.gm.ID, tb.session.ID))(t)
				tb.notices.sessionID = tb.session.ID
				tb.notices.take()

				if err := tb.svc.RemoveMember(ctx, tt.by(tb), tb.campaign.ID, tb.player.ID); err != nil {
					t.Fatalf("RemoveMember = %v", err)
				}
				pc := ok(tb.svc.Character(ctx, tb.gm.ID, tb.pc.ID))(t)
				if pc.OwnerID != nil || pc.Version != tb.pc.Version+1 {
					t.Errorf("PC after removal: owned %v, version %d; want no owner, version %d", pc.OwnerID != nil, pc.Version, tb.pc.Version+1)
				}
				if npc := ok(tb.svc.Character(ctx, tb.gm.ID, tb.npc.ID))(t); npc.Version != tb.npc.Version {
					t.Errorf("NPC version = %d, want %d (untouched)", npc.Version, tb.npc.Version)
				}
				if diff := cmp.Diff([]string{"update character players"}, tb.notices.take()); diff != "" {
					t.Errorf("change notices (-want +got):\n%s", diff)
				}

				events := ok2(tb.st.Events(ctx, store.EventFilter{CampaignID: tb.campaign.ID, EntityType: "character", EntityID: tb.pc.ID, Page: gmc.Page{Limit: 1}}))(t)
				if len(events) != 1 || events[0].Action != gmc.ActionUpdate || events[0].ActorID != tt.by(tb) {
					t.Fatalf("latest PC event = %s, want an update by the remover", fmt.Sprint(events))
				}
				if before, after := ownerIn(t, events[0].Before), ownerIn(t, events[0].After); before != tb.player.ID || after != nil {
					t.Errorf("audited owner: before %v, after %v; want %s, then none", before, after, tb.player.ID)
				}
			})
		}
	}
}

// ownerIn returns the owner_id of an audited character document.
func ownerIn(t *testing.T, doc json.RawMessage) any {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(doc, &c); err != nil {
		t.Fatalf("audited character %s: %v", doc, err)
	}
	return c["owner_id"]
}
