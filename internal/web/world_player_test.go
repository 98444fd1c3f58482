package web_test

import (
	"strings"
	"testing"
)

// A player browses the world pages: what the GM keeps hidden is absent
// from the tree, the board, the graph and the search box, and no GM
// control is offered.
func TestConsoleWorldPlayer(t *testing.T) {
	c := startConsole(t)
	g := c.gmCampaign("gm@example.com", "Lost Mine of Phandelver")
	coast := c.location(g, "", "Sword Coast", "region", "The frontier.")
	phandalin := c.location(g, coast, "Phandalin", "town", "A frontier town.")
	c.create(g, "/campaigns/"+g.id+"/locations", map[string]any{"name": "Secret Redbrand Tunnel", "parent_id": coast, "visibility": "gm"})
	open := c.create(g, "/campaigns/"+g.id+"/plots", map[string]any{"title": "Find Cragmaw Castle", "status": "active", "progress": 40, "visibility": "players"})
	hidden := c.create(g, "/campaigns/"+g.id+"/plots", map[string]any{"title": "The Black Spider's plan", "status": "active", "visibility": "gm"})
	c.call("POST", "/plots/"+open+"/dependencies", g.token, map[string]any{"depends_on": hidden}, 201)
	c.join(g, "player@example.com")

	p := c.browser(t).failOnScriptErrors()
	p.signIn("player@example.com")
	p.open("#/c/" + g.id + "/locations?focus=" + phandalin)
	p.waitText(`[role="tree"]`, "Phandalin")
	if txt := p.text("main"); strings.Contains(txt, "Secret Redbrand Tunnel") || strings.Contains(txt, "Move to") || strings.Contains(txt, "New root location") || strings.Contains(txt, "Delete") {
		t.Errorf("a player's location page shows %q", txt)
	}

	p.open("#/c/" + g.id + "/plots?focus=" + open)
	p.waitText(".plot-detail h2", "Find Cragmaw Castle")
	if txt := p.text("main"); strings.Contains(txt, "Black Spider") || strings.Contains(txt, "Record progress") || strings.Contains(txt, "Reminders") || strings.Contains(txt, "New plot thread") || strings.Contains(txt, "null") {
		t.Errorf("a player's plot page shows %q", txt)
	}

	p.typeIn(`#nav input[role="combobox"]`, "black spider")
	p.waitText(`#nav [role="listbox"]`, "Nothing found")
}
