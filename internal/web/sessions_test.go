package web_test

import (
	"strings"
	"testing"
)

// A GM plans a session from the list, starts it (a second one cannot
// start while it is live) and ends it; every row opens the session's
// table page; a player sees the list without the GM's buttons.
func TestConsoleSessions(t *testing.T) {
	c := startConsole(t)
	g := c.gmCampaign("gm@example.com", "Lost Mine of Phandelver")
	for _, title := range []string{"Goblin Arrows", "Phandalin"} {
		s := c.create(g, "/campaigns/"+g.id+"/sessions", map[string]any{"title": title})
		c.call("POST", "/sessions/"+s+"/start", g.token, nil, 200)
		c.call("POST", "/sessions/"+s+"/end", g.token, nil, 200)
	}
	later := c.create(g, "/campaigns/"+g.id+"/sessions", map[string]any{"title": "Wave Echo Cave", "scheduled_at": "2026-12-19T18:00:00Z"})

	p := c.browser(t).failOnScriptErrors()
	p.signIn(g.email)
	p.open("#/c/" + g.id + "/sessions")
	p.waitText(".session-list", "Goblin Arrows")

	p.typeIn(`.session-form input[name="title"]`, "The Redbrand Hideout")
	p.setValue(`.session-form input[name="scheduled_at"]`, "2026-12-12T19:30")
	p.clickText("Plan session")
	p.waitText(".session-list", "The Redbrand Hideout")
	var made map[string]any
	for _, it := range c.call("GET", "/campaigns/"+g.id+"/sessions", g.token, nil, 200)["items"].([]any) {
		if s := it.(map[string]any); s["title"] == "The Redbrand Hideout" {
			made = s
		}
	}
	if made == nil || made["status"] != "scheduled" || made["scheduled_at"] == nil {
		t.Fatalf("planned session: %v", made)
	}
	id := made["id"].(string)
	row := `.session-row[data-id="` + id + `"]`
	p.waitText(row+" .badge", "planned")
	if href := p.eval(`document.querySelector('` + row + ` a.session-title').getAttribute("href")`); href != "#/c/"+g.id+"/sessions/"+id {
		t.Errorf("the row links to %v", href)
	}

	p.press(row + ` button[aria-label="Start session 4"]`)
	p.waitText(row+" .badge", "live")
	if st := c.call("GET", "/sessions/"+id, g.token, nil, 200)["status"]; st != "live" {
		t.Fatalf("after Start the session is %v", st)
	}
	// One live session per campaign: the other planned one cannot start.
	if d := p.eval(`document.querySelector('.session-row[data-id="` + later + `"] button[aria-label^="Start"]').disabled`); d != true {
		t.Error("a second session can be started while one is live")
	}
	p.waitText(row, "Join the table")

	// A player sees the same list, read-only.
	_, player := c.signUp("player@example.com")
	code := c.call("POST", "/campaigns/"+g.id+"/invites", g.token, map[string]any{"role": "player"}, 201)["code"].(string)
	c.call("POST", "/invites/"+code+"/accept", player, nil, 200)
	q := p.tab().failOnScriptErrors()
	q.signIn("player@example.com")
	q.open("#/c/" + g.id + "/sessions")
	q.waitText(row+" .badge", "live")
	if txt := q.text("main"); strings.Contains(txt, "Plan a session") || strings.Contains(txt, "End") {
		t.Errorf("a player sees GM controls: %q", txt)
	}
	p.calmShot("sessions")

	p.press(row + ` button[aria-label="End session 4"]`)
	p.waitText(row+" .badge", "ended")
	if st := c.call("GET", "/sessions/"+id, g.token, nil, 200)["status"]; st != "ended" {
		t.Errorf("after End the session is %v", st)
	}
}
