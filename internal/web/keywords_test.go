package web_test

import (
	"strings"
	"testing"
)

// A GM adds, edits and deletes custom keywords; a bad term is answered
// beside its field and nothing is stored; a player sees only the keywords
// shown to players and no editing controls.
func TestConsoleKeywords(t *testing.T) {
	c := startConsole(t)
	g := c.gmCampaign("gm@example.com", "Lost Mine of Phandelver")
	c.create(g, "/campaigns/"+g.id+"/keywords", map[string]any{"term": "Black Spider", "aliases": []string{"Nezznar"}, "category": "villain",
		"notes": "Drow mage seeking the Forge of Spells. Never names himself."})
	c.create(g, "/campaigns/"+g.id+"/keywords", map[string]any{"term": "Phandelver's Pact", "category": "faction", "visibility": "players",
		"notes": "Dwarves and gnomes who shared Wave Echo Cave."})
	c.create(g, "/campaigns/"+g.id+"/keywords", map[string]any{"term": "forge", "category": "place", "common": true, "visibility": "players",
		"notes": "The Forge of Spells, heart of the mine."})

	p := c.browser(t).failOnScriptErrors()
	p.signIn(g.email)
	p.open("#/c/" + g.id + "/keywords")
	p.waitText("table.keywords", "Black Spider")

	// Create: an empty term is refused by the browser; one of spaces by
	// the API, beside the field.
	p.clickText("New keyword")
	p.typeIn(`form[aria-label="New keyword"] input[name="term"]`, "   ")
	p.clickText("Add keyword")
	p.waitText(`form[aria-label="New keyword"]`, "required")
	if n := len(c.call("GET", "/campaigns/"+g.id+"/keywords", g.token, nil, 200)["items"].([]any)); n != 3 {
		t.Fatalf("a refused keyword left %d keywords", n)
	}
	p.setValue(`form[aria-label="New keyword"] input[name="term"]`, "Iron Lanterns")
	p.setValue(`form[aria-label="New keyword"] input[name="aliases"]`, "the Lanterns, Lanternmen")
	p.setValue(`form[aria-label="New keyword"] input[name="category"]`, "Faction")
	p.setValue(`form[aria-label="New keyword"] textarea[name="notes"]`, "A guild of smiths turned smugglers.")
	p.clickText("Add keyword")
	p.waitText("table.keywords", "Iron Lanterns")
	p.waitText("table.keywords", "Lanternmen")
	p.calmShot("keywords")

	// Edit it in place.
	p.press(`button[aria-label="Edit Iron Lanterns"]`)
	p.visible(`form[aria-label="Edit Iron Lanterns"]`)
	p.setValue(`form[aria-label="Edit Iron Lanterns"] input[name="aliases"]`, "the Lanterns")
	p.setValue(`form[aria-label="Edit Iron Lanterns"] select[name="visibility"]`, "players")
	p.clickText("Save")
	p.gone(`form[aria-label="Edit Iron Lanterns"]`)
	var lantern map[string]any
	for _, it := range c.call("GET", "/campaigns/"+g.id+"/keywords", g.token, nil, 200)["items"].([]any) {
		if k := it.(map[string]any); k["term"] == "Iron Lanterns" {
			lantern = k
		}
	}
	if lantern == nil || lantern["visibility"] != "players" || len(lantern["aliases"].([]any)) != 1 || lantern["category"] != "faction" || lantern["notes"] != "A guild of smiths turned smugglers." {
		t.Fatalf("after editing: %v", lantern)
	}

	// Delete the villain after confirming.
	p.press(`button[aria-label="Delete Black Spider"]`)
	p.waitText("dialog.confirm", "Black Spider")
	p.click("dialog.confirm button.danger")
	p.waitJS(`!document.querySelector("table.keywords").textContent.includes("Black Spider")`)

	// A player sees the players' keywords, read-only.
	_, player := c.signUp("player@example.com")
	code := c.call("POST", "/campaigns/"+g.id+"/invites", g.token, map[string]any{"role": "player"}, 201)["code"].(string)
	c.call("POST", "/invites/"+code+"/accept", player, nil, 200)
	q := p.tab().failOnScriptErrors()
	q.signIn("player@example.com")
	q.open("#/c/" + g.id + "/keywords")
	q.waitText("table.keywords", "Iron Lanterns")
	if txt := q.text("main"); strings.Contains(txt, "New keyword") || strings.Contains(txt, "Edit") {
		t.Errorf("a player sees editing controls: %q", txt)
	}
}
