package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The location tree loads one level at a time, opens down to a location
// named in the address, moves a location with its subtree, refuses (with
// a message) a move below its own descendant, and deletes a subtree only
// after saying so.
func TestConsoleLocations(t *testing.T) {
	c := startConsole(t)
	g := c.gmCampaign("gm@example.com", "Lost Mine of Phandelver")
	coast := c.location(g, "", "Sword Coast", "region", "The wild frontier between Waterdeep and Neverwinter.")
	phandalin := c.location(g, coast, "Phandalin", "town", "A frontier town rebuilt on the ruins of an older settlement.")
	inn := c.location(g, phandalin, "Stonehill Inn", "tavern", "A modest inn run by Toblen Stonehill and his family.\nSix rooms, a common room with a fire, and the best ale in town.")
	manor := c.location(g, phandalin, "Tresendar Manor", "ruin", "The crumbling manor above the Redbrand hideout.")
	c.location(g, manor, "Redbrand Hideout", "dungeon", "Cellars and caves below the manor.")
	c.location(g, coast, "Cragmaw Hideout", "cave", "A goblin lair north-east of the Triboar Trail.")
	neverwinter := c.location(g, "", "Neverwinter", "city", "The Jewel of the North.")
	c.location(g, "", "Wave Echo Cave", "dungeon", "The lost mine of the Phandelver's Pact.")

	p := c.browser(t).failOnScriptErrors()
	pick := func(id string) { t.Helper(); p.click(`[data-id="` + id + `"] > .tree-row .tree-name`) }
	p.signIn(g.email)
	p.open("#/c/" + g.id + "/locations")
	p.waitText(`[role="tree"]`, "Sword Coast")
	// Roots only until a node is opened; the counts say what is inside.
	if n := p.eval(`document.querySelectorAll('[role="treeitem"]').length`); n != float64(3) {
		t.Fatalf("%v tree items before expanding, want the 3 roots", n)
	}
	if got := p.eval(`document.querySelector('[data-id="` + coast + `"]').getAttribute("aria-expanded")`); got != "false" {
		t.Errorf("Sword Coast aria-expanded = %v, want false", got)
	}
	p.waitText(`[data-id="`+coast+`"] .tree-count`, "2")

	// Keyboard: the first item takes focus, Right opens it, Down goes to
	// its first child, Right opens that, Left closes it again.
	p.eval(`document.querySelector('[role="treeitem"][tabindex="0"]').focus(), true`)
	p.do(chromedp.KeyEvent(kb.ArrowRight))
	p.waitJS(`document.querySelector('[data-id="` + coast + `"]')?.getAttribute("aria-expanded") === "true"`)
	p.waitText(`[role="tree"]`, "Phandalin")
	p.do(chromedp.KeyEvent(kb.ArrowDown))
	p.waitJS(`document.activeElement.dataset.id === "` + phandalin + `"`)
	p.do(chromedp.KeyEvent(kb.ArrowRight))
	p.waitText(`[role="tree"]`, "Stonehill Inn")
	if strings.Contains(p.text(`[role="tree"]`), "Redbrand Hideout") {
		t.Error("a grandchild was shown before its parent was opened")
	}
	p.do(chromedp.KeyEvent(kb.Enter))
	p.waitText(".loc-detail h2", "Phandalin")

	// A location named in the address: the tree opens down to it and the
	// breadcrumb shows where it lies.
	p.open("#/c/" + g.id + "/locations?focus=" + inn)
	p.waitText(".loc-detail h2", "Stonehill Inn")
	if crumbs := p.text(".breadcrumb"); !strings.Contains(crumbs, "Sword Coast") || !strings.Contains(crumbs, "Phandalin") {
		t.Errorf("breadcrumb %q", crumbs)
	}
	p.waitJS(`document.querySelector('[data-id="` + inn + `"]')?.getAttribute("aria-selected") === "true"`)
	pick(manor)
	p.waitText(".loc-detail h2", "Tresendar Manor")
	pick(coast)
	p.waitText(".loc-detail h2", "Sword Coast")
	p.open("#/c/" + g.id + "/locations?focus=" + inn)
	p.waitText(".loc-detail h2", "Stonehill Inn")
	p.calmShot("locations")

	// Edit the inn's description.
	p.clickText("Edit")
	p.visible(`form[aria-label="Edit location"]`)
	p.setValue(`form[aria-label="Edit location"] textarea[name="description"]`, "Toblen's inn, now with a bard.")
	p.clickText("Save")
	p.waitText(".loc-detail .prose", "now with a bard")
	if d := c.call("GET", "/locations/"+inn, g.token, nil, 200)["description"]; d != "Toblen's inn, now with a bard." {
		t.Errorf("description after editing: %v", d)
	}

	// Move Tresendar Manor (with its hideout) to Neverwinter.
	p.open("#/c/" + g.id + "/locations?focus=" + manor)
	p.waitText(".loc-detail h2", "Tresendar Manor")
	p.clickText("Move to…")
	p.visible(`form[aria-label="Move location"] select`)
	p.setValue(`form[aria-label="Move location"] select`, neverwinter)
	p.clickText("Move")
	p.waitText(".breadcrumb", "Neverwinter")
	if got := c.call("GET", "/locations/"+manor, g.token, nil, 200)["parent_id"]; got != neverwinter {
		t.Errorf("after the move the manor's parent is %v", got)
	}
	p.waitText(`[data-id="`+neverwinter+`"]`, "Tresendar Manor")

	// Sword Coast cannot go below Phandalin, which lies inside it.
	pick(coast)
	p.waitText(".loc-detail h2", "Sword Coast")
	p.clickText("Move to…")
	p.visible(`form[aria-label="Move location"] select`)
	p.setValue(`form[aria-label="Move location"] select`, phandalin)
	p.clickText("Move")
	p.waitText(`form[aria-label="Move location"] .form-error`, "Refused")
	if msg := p.text(`form[aria-label="Move location"] .form-error`); !strings.Contains(msg, "Sword Coast") || !strings.Contains(msg, "inside itself") {
		t.Errorf("cycle message %q", msg)
	}
	if got := c.call("GET", "/locations/"+coast, g.token, nil, 200)["parent_id"]; got != nil {
		t.Errorf("a refused move changed the parent to %v", got)
	}

	// A new location inside Neverwinter, then Neverwinter deleted with
	// everything in it after a confirmation that says so.
	pick(neverwinter)
	p.waitText(".loc-detail h2", "Neverwinter")
	p.clickText("Add a location inside")
	p.typeIn(`form[aria-label="New location"] input[name="name"]`, "Blacklake District")
	p.typeIn(`form[aria-label="New location"] input[name="location_type"]`, "district")
	p.clickText("Create")
	p.waitText(".loc-detail h2", "Blacklake District")
	p.waitText(".breadcrumb", "Neverwinter")
	pick(neverwinter)
	p.waitText(".loc-detail h2", "Neverwinter")
	p.clickText("Delete")
	p.waitText("dialog.confirm", "everything inside it")
	p.clickText("Cancel")
	p.gone("dialog.confirm")
	c.call("GET", "/locations/"+neverwinter, g.token, nil, 200)
	p.clickText("Delete")
	p.clickText("Delete all")
	p.waitJS(`!document.querySelector('[data-id="` + neverwinter + `"]')`)
	c.call("GET", "/locations/"+neverwinter, g.token, nil, 404)
	c.call("GET", "/locations/"+manor, g.token, nil, 404)
	c.call("GET", "/locations/"+inn, g.token, nil, 200)
}
