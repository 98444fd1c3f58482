package httpapi_test

import (
	"testing"
)

// TestRemovedMemberLeavesTheirPCs removes a player, who leaves or is
// removed by the GM: their PC stays in the campaign without an owner, the
// change is in the audit log, and the PC is still found by search.
func TestRemovedMemberLeavesTheirPCs(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		for _, by := range []string{"owner", "gm"} {
			t.Run(b.name+"/by_"+by, func(t *testing.T) {
				t.Parallel()
				c := newServer(t, b.open, serverOpts{})
				p := newParty(t, c)
				gm := p.token["gm"]
				pc := p.character(map[string]any{"name": "Ezmerelda d'Avenir", "character_type": "pc", "owner_id": p.user["owner"]})
				npc := p.character(map[string]any{"name": "Rictavio", "character_type": "npc"})

				c.must(204, "DELETE", p.path("/members/"+p.user["owner"]), p.token[by], nil)

				got := c.must(200, "GET", "/api/v1/characters/"+pc, gm, nil)
				if owner, present := got.body["owner_id"]; !present || owner != nil || got.field("version") != float64(2) {
					t.Errorf("PC after its player left = %s, want owner_id null and version 2", got.raw)
				}
				if v := c.must(200, "GET", "/api/v1/characters/"+npc, gm, nil).field("version"); v != float64(1) {
					t.Errorf("NPC version = %v, want 1", v)
				}
				latest := c.must(200, "GET", p.path("/events?entity_type=character&entity_id="+pc+"&limit=1"), gm, nil).items()
				if len(latest) != 1 || latest[0]["action"] != "update" || latest[0]["actor_id"] != p.user[by] {
					t.Fatalf("latest PC event = %v, want an update by %s", latest, by)
				}
				before, _ := latest[0]["before"].(map[string]any)
				after, _ := latest[0]["after"].(map[string]any)
				if before["owner_id"] != p.user["owner"] || after == nil || after["owner_id"] != nil {
					t.Errorf("audited owner: before %v, after %v; want the player, then null", before["owner_id"], after["owner_id"])
				}
				found := c.must(200, "GET", p.path("/search?q=Ezmerelda"), gm, nil).ids()
				if len(found) != 1 || found[0] != pc {
					t.Errorf("search for the PC = %v, want [%s]", found, pc)
				}
				// Another player can still be given the PC.
				c.must(200, "PATCH", "/api/v1/characters/"+pc, gm, map[string]any{"owner_id": p.user["player"]})
			})
		}
	}
}
