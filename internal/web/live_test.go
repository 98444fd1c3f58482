package web_test

import (
	"strconv"
	"testing"
)

// The live table: a GM and a player at the same session page, in two
// browser contexts. Both see what is said; only the GM sees the card of a
// GM-only character; chat, whispers, the scene and the initiative order
// reach the other side; a dropped connection comes back without losing or
// repeating a line.
func TestConsoleLive(t *testing.T) {
	c := startConsole(t)
	network := c.behindCut()
	_, gm := c.signUp("gm@example.com")
	playerID, pl := c.signUp("player@example.com")
	campaign := c.call("POST", "/campaigns", gm, map[string]any{"name": "The Sunken Bell", "game_system": "dnd5e"}, 201)["id"].(string)
	code := c.call("POST", "/campaigns/"+campaign+"/invites", gm, map[string]any{"role": "player"}, 201)["code"].(string)
	c.call("POST", "/invites/"+code+"/accept", pl, nil, 200)
	c.call("PUT", "/campaigns/"+campaign+"/members/me/voice-consent", gm, map[string]any{"consent": true}, 200)
	c.call("POST", "/campaigns/"+campaign+"/characters", gm, map[string]any{"name": "Marla Gull", "character_type": "npc", "visibility": "players"}, 201)
	c.call("POST", "/campaigns/"+campaign+"/characters", gm, map[string]any{"name": "Captain Voss", "character_type": "npc", "visibility": "gm"}, 201)
	c.call("POST", "/campaigns/"+campaign+"/characters", gm, map[string]any{"name": "Wren Ashdown", "character_type": "pc", "visibility": "players"}, 201)
	session := c.call("POST", "/campaigns/"+campaign+"/sessions", gm, map[string]any{"title": "The Bell Tolls"}, 201)["id"].(string)
	path := "#/c/" + campaign + "/sessions/" + session
	segments := func(lines ...map[string]any) {
		t.Helper()
		segs := make([]any, len(lines))
		for i, l := range lines {
			segs[i] = l
		}
		c.call("POST", "/sessions/"+session+"/transcript/segments", gm, map[string]any{"segments": segs}, 201)
	}
	line := func(label, text string) map[string]any {
		return map[string]any{"speaker_label": label, "text": text, "start_ms": 0, "end_ms": 0}
	}

	g := c.browser(t)
	gErrs := g.watchErrors()
	g.signIn("gm@example.com")
	g.waitText("main h1", "Your campaigns") // the start page has drawn: it cannot land on the next one
	g.open(path)
	g.clickText("Start session")
	g.waitText(".live-status", "Connected as gm")
	if s := c.call("GET", "/sessions/"+session, gm, nil, 200)["status"]; s != "live" {
		t.Fatalf("after Start session the session is %v", s)
	}

	// The player has not said whether their voice may be processed: the
	// page asks, and the GM sees who has not agreed.
	p := g.tab()
	pErrs := p.watchErrors()
	p.signIn("player@example.com")
	p.waitText("main h1", "Your campaigns")
	p.open(path)
	p.visible(".consent-dialog")
	p.clickText("No, drop my audio")
	p.gone(".consent-dialog")
	p.waitText(".live-status", "Connected as player")
	for _, m := range c.call("GET", "/campaigns/"+campaign+"/members", gm, nil, 200)["items"].([]any) {
		if mm := m.(map[string]any); mm["user_id"] == playerID && mm["voice_consent"] != false {
			t.Errorf("after No the player's voice_consent is %v", mm["voice_consent"])
		}
	}
	g.waitJS(`[...document.querySelectorAll(".presence li.here")].some(li => li.textContent.includes("player") && li.querySelector(".consent-missing"))`)
	if n := p.eval(`document.querySelectorAll(".gm-tools, .gm-edit, .consent-missing").length`); n != float64(0) {
		t.Errorf("the player's page shows %v GM tools", n)
	}

	// The GM-only character's line comes first: once the player has the
	// card of the second line, an alert about the first would have come.
	segments(line("GM", "Captain Voss watches from the wreck below."))
	segments(line("GM", "Marla Gull waves you into the inn."))
	for _, tab := range []*page{g, p} {
		tab.waitText(".transcript", "Marla Gull waves you into the inn.")
		tab.waitText(".transcript", "Captain Voss watches")
		tab.waitJS(`[...document.querySelectorAll(".kw-card")].some(c => c.textContent.includes("Marla Gull") && !c.querySelector(".badge.gm"))`)
	}
	g.waitJS(`[...document.querySelectorAll(".kw-card")].some(c => c.textContent.includes("Captain Voss") && c.querySelector(".badge.gm"))`)
	if n := p.eval(`[...document.querySelectorAll(".kw-card")].filter(c => c.textContent.includes("Voss")).length`); n != float64(0) {
		t.Errorf("the player sees %v cards of the GM-only Captain Voss", n)
	}

	// Chat, and a whisper that only its two ends (and GMs) see.
	p.typeIn(`.chat-form input[name="text"]`, "Can we see the wreck from here?")
	p.click(`.chat-form button[type="submit"]`)
	g.waitText(".chat-log", "Can we see the wreck from here?")
	g.setValue(`.chat-form select[name="to"]`, playerID)
	g.typeIn(`.chat-form input[name="text"]`, "You hear a bell under the water.")
	g.click(`.chat-form button[type="submit"]`)
	p.waitText(".chat-log li.whisper", "You hear a bell under the water.")
	p.waitText(".chat-log li.whisper", "whispers to you")

	// The scene and the initiative order, set by the GM, reach the player.
	g.clickText("Edit scene and initiative")
	g.setValue(`textarea[name="scene"]`, "The wreck of the Gannet, at low tide.")
	g.click(`.scene-form button[type="submit"]`)
	p.waitText(".scene-text", "The wreck of the Gannet, at low tide.")
	for _, who := range []struct{ name, roll string }{{"Drowned sailor", "8"}, {"Wren", "17"}} {
		g.typeIn(`input[name="init_name"]`, who.name)
		g.typeIn(`input[name="init_roll"]`, who.roll)
		g.click(`.init-form button[type="submit"]`)
		p.waitText(".initiative", who.name)
	}
	g.clickText("Next turn")
	p.waitText(".initiative li.turn", "Drowned sailor")
	p.waitText(".init-h", "round 1")

	// Pasted "Name: text" lines become one segment each; a label mapped to
	// a character shows as that character's name, for everyone.
	g.setValue(`.segment-form textarea[name="text"]`, "Wren: I climb onto the hull.\nGM: The planks groan under you.")
	g.click(`.segment-form button[type="submit"]`)
	p.waitText(".transcript", "The planks groan under you.")
	if s := p.eval(`[...document.querySelectorAll(".seg")].find(l => l.textContent.includes("I climb onto the hull")).querySelector(".seg-speaker").textContent`); s != "Wren" {
		t.Errorf("the pasted line's speaker shows as %v, want Wren", s)
	}
	g.clickText("Who is speaking: map labels to members and characters")
	wren := g.eval(`[...document.querySelector('select[name="character:Wren"]').options].find(o => o.textContent === "Wren Ashdown").value`).(string)
	g.setValue(`select[name="character:Wren"]`, wren)
	g.click(`.speaker-form button[type="submit"]`)
	g.waitJS(`[...document.querySelectorAll(".seg")].find(l => l.textContent.includes("I climb onto the hull")).querySelector(".seg-speaker").textContent === "Wren Ashdown"`)
	p.reload()
	p.waitJS(`[...document.querySelectorAll(".seg")].some(l => l.textContent.includes("I climb onto the hull") && l.querySelector(".seg-speaker").textContent === "Wren Ashdown")`)
	p.waitText(".live-status", "Connected as player")
	p.waitText(".scene-text", "The wreck of the Gannet") // the state comes with the welcome
	// Cards come back from the session's keyword hits, the player's
	// without the GM-only one.
	p.waitJS(`[...document.querySelectorAll(".kw-card")].some(c => c.textContent.includes("Marla Gull"))`)
	p.waitJS(`[...document.querySelectorAll(".seg-text mark")].some(m => m.textContent === "Marla Gull")`)
	if n := p.eval(`[...document.querySelectorAll(".kw-card, mark")].filter(c => c.textContent.includes("Voss")).length`); n != float64(0) {
		t.Errorf("after a reload the player sees %v marks or cards of the GM-only Captain Voss", n)
	}

	g.shot("live-gm")
	p.shot("live-player")

	// The network drops; lines said meanwhile arrive once each when the
	// pages are back, and so does the next one.
	network.cut()
	for _, tab := range []*page{g, p} {
		tab.waitText(".live-status", "Connection lost")
	}
	away := []string{}
	for i := 1; i <= 3; i++ {
		text := "While the lights were out, line " + strconv.Itoa(i) + "."
		away = append(away, text)
		segments(line("GM", text))
	}
	network.restore()
	segments(line("GM", "And the lights come back on."))
	want := c.call("GET", "/sessions/"+session+"/transcript?limit=200", gm, nil, 200)["items"].([]any)
	for _, tab := range []*page{g, p} {
		tab.waitText(".transcript", "And the lights come back on.")
		tab.waitText(".live-status", "Connected")
		for _, text := range append(away, "And the lights come back on.", "Marla Gull waves you into the inn.") {
			if n := tab.eval(`[...document.querySelectorAll(".seg-text")].filter(e => e.textContent === ` + jsString(text) + `).length`); n != float64(1) {
				t.Errorf("after the reconnect %q shows %v times", text, n)
			}
		}
		if n := tab.eval(`document.querySelectorAll(".transcript .seg").length`); n != float64(len(want)) {
			t.Errorf("after the reconnect the page shows %v lines, the transcript has %d", n, len(want))
		}
		order := tab.eval(`[...document.querySelectorAll(".transcript .seg")].map(l => Number(l.dataset.seq)).every((s, i, a) => i === 0 || a[i-1] < s)`)
		if order != true {
			t.Error("the transcript's lines are out of order after the reconnect")
		}
	}

	// Ending the session tells everyone.
	g.clickText("End session")
	g.clickText("End it for everyone")
	p.waitText(".live-status", "ended")
	g.waitText(".live-status", "ended")
	for who, errs := range map[string][]string{"GM": gErrs(), "player": pErrs()} {
		if len(errs) > 0 {
			t.Errorf("the %s's page logged errors: %q", who, errs)
		}
	}
}
