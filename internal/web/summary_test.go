package web_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// summaryTable is an ended session whose transcript is the summary
// package's written evening at the Prancing Stag, spoken in a campaign
// that holds its people (Vess, the Whisper, a GM-only NPC).
func summaryTable(t *testing.T, c *console) (w *world, session string, segs map[string]string) {
	t.Helper()
	w = seedWorld(t, c)
	camp := "/campaigns/" + w.campaign
	chars := map[string]string{}
	for _, ch := range []struct{ name, typ, vis string }{{"Lyra", "pc", "players"}, {"Thorin", "pc", "players"}, {"Marta", "npc", "players"},
		{"Skarn", "npc", "players"}, {"Vess", "npc", "gm"}} {
		body := map[string]any{"name": ch.name, "character_type": ch.typ, "visibility": ch.vis}
		if ch.name == "Vess" {
			body["aliases"] = []string{"the Whisper"}
		}
		if ch.name == "Skarn" {
			body["tags"] = []string{"boss"}
		}
		chars[ch.name] = c.call("POST", camp+"/characters", w.gm, body, 201)["id"].(string)
	}
	c.call("POST", camp+"/plots", w.gm, map[string]any{"title": "The Red Fang Bandits", "status": "active", "progress": 25,
		"visibility": "players", "character_ids": []string{chars["Skarn"]},
		"milestones": []map[string]any{{"title": "Find the bandit hideout"}, {"title": "Defeat Skarn"}}}, 201)
	c.call("POST", camp+"/locations", w.gm, map[string]any{"name": "Copperpot Market", "location_type": "market", "visibility": "players"}, 201)
	session = c.call("POST", camp+"/sessions", w.gm, map[string]any{"title": "The Red Fang"}, 201)["id"].(string)
	c.call("POST", "/sessions/"+session+"/start", w.gm, nil, 200)
	c.call("PUT", "/sessions/"+session+"/speakers", w.gm, map[string]any{"speakers": []map[string]any{
		{"label": "Alice", "character_id": chars["Lyra"]}, {"label": "Bob", "character_id": chars["Thorin"]}}}, 200)

	b, err := os.ReadFile("../summary/testdata/session.txt")
	if err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(line, " | ", 3)
		if len(parts) != 3 {
			continue
		}
		sec, err := strconv.Atoi(parts[0])
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, map[string]any{"speaker_label": parts[1], "start_ms": sec * 1000, "end_ms": sec*1000 + 4500, "text": parts[2]})
	}
	stored := c.call("POST", "/sessions/"+session+"/transcript/segments", w.gm, map[string]any{"segments": lines}, 201)["items"].([]any)
	segs = map[string]string{}
	for _, s := range stored {
		m := s.(map[string]any)
		segs[m["id"].(string)] = m["text"].(string)
	}
	if !strings.Contains(string(b), "Vess") {
		t.Fatal("the script no longer names the GM-only NPC")
	}
	c.call("POST", "/sessions/"+session+"/end", w.gm, nil, 200)
	return w, session, segs
}

// The GM summarises an ended session from its summary page: a progress
// bar follows the job, then scenes and recap appear, and a fact's
// evidence opens the very transcript lines it names. The GM applies one
// proposal and rejects another (the API agrees), and a proposal decided
// elsewhere meanwhile answers 409, shown on its row. A player reads the
// player view, which never names the GM-only NPC, nor does the GM's
// preview of it.
func TestConsoleSummary(t *testing.T) {
	c := startConsole(t)
	w, session, segs := summaryTable(t, c)
	page := "#/c/" + w.campaign + "/sessions/" + session + "/summary"

	p := c.browser(t).failOnScriptErrors()
	p.signIn(w.gmEmail)
	// The sessions list links the ended session's summary.
	p.open("#/c/" + w.campaign + "/sessions")
	p.press(`a[aria-label="Summary of session 1"]`)
	p.waitJS(`location.hash === ` + jsString(page))
	p.visible("button.summarise")
	p.press("button.summarise")
	p.waitText(".summary-job", "Summary ready")
	p.waitText(".summary-recap h2", "Recap (GM)")
	body := p.eval(`document.querySelector(".summary-body").textContent`).(string)
	for _, want := range []string{"Scenes", "roleplay", "shopping", "Marta", "Vess", "Plot points", "Relationship changes", "Achievements"} {
		if !strings.Contains(body, want) {
			t.Errorf("the GM's summary lacks %q", want)
		}
	}
	if n := p.eval(`document.querySelectorAll(".summary-scenes .fact").length`).(float64); n < 3 {
		t.Errorf("%v scenes shown, want at least 3", n)
	}

	// The first recap line's evidence: the transcript lines it names.
	p.press(".summary-recap .ev-toggle")
	p.waitJS(`!!document.querySelector(".summary-recap .evidence li[data-segment] .ev-text")`)
	shown := p.eval(`[...document.querySelector(".summary-recap .evidence").querySelectorAll("li[data-segment]")].map(li => [li.dataset.segment, li.querySelector(".ev-text").textContent])`).([]any)
	for _, s := range shown {
		pair := s.([]any)
		if segs[pair[0].(string)] != pair[1] {
			t.Errorf("evidence %v is not the transcript's segment %q", pair, segs[pair[0].(string)])
		}
	}
	if len(shown) == 0 {
		t.Error("the recap line's evidence shows no line")
	}
	p.quiet()
	p.press(".summary-recap .ev-toggle")
	p.calmShot("summary-gm")

	// Proposals: apply the new NPC Old Tom, reject the achievement.
	proposals := map[string]map[string]any{}
	for _, it := range c.call("GET", "/sessions/"+session+"/proposals", w.gm, nil, 200)["items"].([]any) {
		m := it.(map[string]any)
		if m["kind"] == "new_npc" && m["target"] == "old tom" || m["kind"] == "achievement" && proposals["achievement"] == nil ||
			m["kind"] == "plot_progress" && proposals["plot_progress"] == nil {
			proposals[m["kind"].(string)] = m
		}
	}
	npc, feat, plot := proposals["new_npc"], proposals["achievement"], proposals["plot_progress"]
	if npc == nil || feat == nil || plot == nil {
		t.Fatalf("want new_npc, achievement and plot_progress proposals, got %v", proposals)
	}
	row := func(id string) string { return `.proposal[data-id="` + id + `"]` }
	p.waitText(row(npc["id"].(string))+" .prop-what", "Old Tom")
	p.press(row(npc["id"].(string)) + ` button[aria-label^="Apply"]`)
	p.waitText(row(npc["id"].(string))+" .badge.prop-applied", "applied")
	p.press(row(feat["id"].(string)) + ` button[aria-label^="Reject"]`)
	p.waitText(row(feat["id"].(string))+" .badge.prop-rejected", "rejected")
	for id, want := range map[string]string{npc["id"].(string): "applied", feat["id"].(string): "rejected"} {
		list := c.call("GET", "/sessions/"+session+"/proposals?status="+want, w.gm, nil, 200)["items"].([]any)
		found := false
		for _, it := range list {
			found = found || it.(map[string]any)["id"] == id
		}
		if !found {
			t.Errorf("proposal %s is not %s in the API", id, want)
		}
	}
	if href := p.eval(`document.querySelector('` + row(npc["id"].(string)) + ` .prop-what a').getAttribute("href")`).(string); !strings.Contains(href, "/characters/") {
		t.Errorf("the applied new NPC links to %q", href)
	}
	// Decided elsewhere meanwhile: the page says so and shows where it stands.
	c.call("POST", "/proposals/"+plot["id"].(string)+"/reject", w.gm, nil, 200)
	p.press(row(plot["id"].(string)) + ` button[aria-label^="Apply"]`)
	p.waitText(row(plot["id"].(string))+" .prop-note", "Already decided")
	p.waitText(row(plot["id"].(string))+" .badge.prop-rejected", "rejected")
	p.quiet()
	p.eval(`document.querySelector(".proposals").scrollIntoView(), true`)
	p.calmShot("proposals")

	// The GM's preview of the player view leaves the GM-only NPC out.
	p.clickText("Preview the player view")
	p.waitText(".summary-recap h2", "Recap")
	p.waitJS(`document.querySelector(".summary-body").dataset.view === "players"`)
	if txt := p.eval(`document.querySelector(".summary-body").textContent`).(string); strings.Contains(txt, "Vess") || strings.Contains(txt, "Whisper") {
		t.Errorf("the GM's player preview names the GM-only NPC: %s", txt)
	}

	// A player: the player view, no button, no proposals, no Vess.
	q := p.tab().failOnScriptErrors()
	q.signIn(w.plEmail)
	q.open(page)
	q.waitText(".summary-meta", "player view")
	txt := q.eval(`document.querySelector("main").textContent`).(string)
	for _, no := range []string{"Vess", "Whisper", "Summarise now", "Proposed updates", "Recap (GM)"} {
		if strings.Contains(txt, no) {
			t.Errorf("the player's summary shows %q", no)
		}
	}
	if !strings.Contains(txt, "Marta") {
		t.Errorf("the player's summary lacks Marta: %s", txt)
	}
	q.press(".summary-scenes .ev-toggle")
	q.waitJS(`!!document.querySelector(".summary-scenes .evidence li[data-segment]")`)
	q.quiet()
	q.calmShot("summary-player")
}
