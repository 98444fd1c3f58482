package web_test

import (
	"strings"
	"testing"
)

// The plot board shows threads by status with their progress and what
// blocks them; the dependency graph draws each edge; a GM records
// progress, ticks a milestone, plants and reveals foreshadowing, and a
// dependency that would close a cycle is refused with the API's message.
func TestConsolePlots(t *testing.T) {
	c := startConsole(t)
	g := c.gmCampaign("gm@example.com", "Lost Mine of Phandelver")
	plot := func(title, status string, progress int, summary string, milestones ...string) string {
		ms := []map[string]any{}
		for i, m := range milestones {
			ms = append(ms, map[string]any{"title": m, "done": i == 0 && progress > 0})
		}
		return c.create(g, "/campaigns/"+g.id+"/plots", map[string]any{"title": title, "status": status, "progress": progress,
			"summary": summary, "milestones": ms, "visibility": "players"})
	}
	dep := func(a, b string) {
		c.call("POST", "/plots/"+a+"/dependencies", g.token, map[string]any{"depends_on": b}, 201)
	}
	castle := plot("Find Cragmaw Castle", "active", 60, "King Grol holds Gundren somewhere in the Neverwinter Wood.", "Question the goblins", "Follow the trail", "Storm the gate")
	gundren := plot("Rescue Gundren Rockseeker", "active", 30, "The dwarf who hired the party has vanished with his map.", "Learn where he is held", "Free him")
	redbrands := plot("Clear out the Redbrands", "resolved", 100, "Ruffians terrorising Phandalin from below Tresendar Manor.")
	glasstaff := plot("Unmask Glasstaff", "resolved", 100, "The Redbrands' leader, a wizard in a glass staff's shadow.")
	spider := plot("The Black Spider's plan", "stalled", 20, "A drow wants the Forge of Spells for himself.", "Name the Black Spider", "Find his lair")
	wave := plot("Reclaim Wave Echo Cave", "hook", 0, "The lost mine of the Phandelver's Pact.")
	plot("Agatha's secret", "abandoned", 10, "The banshee knows where a spellbook lies.")
	dep(gundren, castle)
	dep(glasstaff, redbrands)
	dep(spider, gundren)
	dep(spider, glasstaff)
	dep(wave, spider)
	c.call("POST", "/plots/"+wave+"/foreshadowing", g.token, map[string]any{"description": "A ghostly green light glimpsed in the hills at night"}, 201)
	// Three sessions played since: the hook and its hint are due a reminder.
	for i := 1; i <= 3; i++ {
		s := c.create(g, "/campaigns/"+g.id+"/sessions", map[string]any{"title": "Session"})
		c.call("POST", "/sessions/"+s+"/start", g.token, nil, 200)
		c.call("POST", "/sessions/"+s+"/end", g.token, nil, 200)
	}

	p := c.browser(t).failOnScriptErrors()
	p.signIn(g.email)
	p.open("#/c/" + g.id + "/plots")
	p.waitText(".board-col.status-active", "Find Cragmaw Castle")
	for status, title := range map[string]string{"active": "Rescue Gundren Rockseeker", "resolved": "Unmask Glasstaff", "stalled": "The Black Spider's plan", "hook": "Reclaim Wave Echo Cave", "abandoned": "Agatha's secret"} {
		if !strings.Contains(p.text(".board-col.status-"+status), title) {
			t.Errorf("column %s lacks %q: %q", status, title, p.text(".board-col.status-"+status))
		}
	}
	// Gundren waits on the castle, which is open: blocked. The Black
	// Spider waits on Gundren (open) and Glasstaff (resolved): blocked by
	// Gundren only.
	p.waitText(`.plot-card[data-id="`+gundren+`"] .blocked`, "Find Cragmaw Castle")
	if b := p.text(`.plot-card[data-id="` + spider + `"] .blocked`); !strings.Contains(b, "Rescue Gundren") || strings.Contains(b, "Glasstaff") {
		t.Errorf("the Black Spider's card says %q", b)
	}
	if n := p.eval(`document.querySelectorAll(".dep-graph .dep-edge").length`); n != float64(5) {
		t.Errorf("the graph draws %v edges, want 5", n)
	}
	p.waitText(".plot-reminders", "Reclaim Wave Echo Cave")
	p.waitText(".plot-reminders", "ghostly green light")

	// Open the castle thread from the board and record progress.
	p.press(`.plot-card[data-id="` + castle + `"]`)
	p.waitText(".plot-detail h2", "Find Cragmaw Castle")
	p.setValue(`.plot-progress input[name="progress"]`, "80")
	p.clickText("Record progress")
	p.waitJS(`document.querySelector('.plot-card[data-id="` + castle + `"] [role=progressbar]')?.getAttribute("aria-valuenow") === "80"`)
	p.waitJS(`document.querySelector('.plot-detail > [role=progressbar]')?.getAttribute("aria-valuenow") === "80"`)
	if got := c.call("GET", "/plots/"+castle, g.token, nil, 200)["progress"]; got != float64(80) {
		t.Errorf("progress after recording is %v", got)
	}
	// Tick the second milestone.
	p.press(`.milestones li:nth-child(2) input[type=checkbox]`)
	p.waitJS(`!!document.querySelector(".milestones li:nth-child(2) label")?.classList.contains("done")`)
	ms := c.call("GET", "/plots/"+castle, g.token, nil, 200)["milestones"].([]any)
	if !ms[1].(map[string]any)["done"].(bool) {
		t.Error("the ticked milestone is not done")
	}

	// The castle depending on Wave Echo Cave would close a cycle.
	p.setValue(`form[aria-label="Add a dependency"] select`, wave)
	p.clickText("Add dependency")
	p.waitText(`form[aria-label="Add a dependency"] .form-error`, "cycle")
	if msg := p.text(`form[aria-label="Add a dependency"] .form-error`); !strings.Contains(msg, "Reclaim Wave Echo Cave") {
		t.Errorf("cycle message %q does not name the threads", msg)
	}
	if n := p.eval(`document.querySelectorAll(".dep-graph .dep-edge").length`); n != float64(5) {
		t.Errorf("after the refused dependency the graph draws %v edges", n)
	}

	// A milestone added to the list; the dependency of the Black Spider
	// on Glasstaff removed.
	p.typeIn(`form[aria-label="Add a milestone"] input`, "Parley with King Grol")
	p.clickText("Add milestone")
	p.waitText(".milestones", "Parley with King Grol")
	if ms := c.call("GET", "/plots/"+castle, g.token, nil, 200)["milestones"].([]any); len(ms) != 4 || ms[1].(map[string]any)["done"] != true {
		t.Errorf("milestones after adding one: %v", ms)
	}
	p.open("#/c/" + g.id + "/plots?focus=" + spider)
	p.waitText(".plot-detail h2", "The Black Spider's plan")
	p.press(`button[aria-label="Remove the dependency on Unmask Glasstaff"]`)
	p.waitJS(`document.querySelectorAll(".dep-graph .dep-edge").length === 4`)
	if up := c.call("GET", "/plots/"+spider+"/dependencies", g.token, nil, 200)["upstream"].([]any); len(up) != 2 {
		t.Errorf("after removing one, the Black Spider waits on %v", up)
	}
	c.call("POST", "/plots/"+spider+"/dependencies", g.token, map[string]any{"depends_on": glasstaff}, 201)

	// Foreshadowing on the hook: plant one, reveal the old one.
	p.open("#/c/" + g.id + "/plots?focus=" + wave)
	p.waitText(".plot-detail h2", "Reclaim Wave Echo Cave")
	p.typeIn(`form[aria-label="Plant foreshadowing"] textarea`, "Gundren's map shows a cave marked with a hammer")
	p.clickText("Plant")
	p.waitText(".foreshadowing", "marked with a hammer")
	p.clickText("Mark revealed")
	p.waitText(".foreshadowing li:first-child", "revealed")
	p.waitJS(`!document.querySelector(".plot-reminders")?.textContent.includes("ghostly green light")`)

	p.open("#/c/" + g.id + "/plots?focus=" + spider)
	p.waitText(".plot-detail h2", "The Black Spider's plan")
	p.waitText(".plot-detail", "Needed by")
	if strings.Contains(p.text("main"), "null") {
		t.Errorf("the page prints null: %q", p.text("main"))
	}
	p.calmShot("plots")
}
