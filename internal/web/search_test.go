package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The example: a GM creates a character and finds it from the
// menu's search box with a typo, then with a sound-alike; the instant
// results mark the matched words, arrows and Enter open the character.
// The search page lists the rest with filters by type.
func TestConsoleSearch(t *testing.T) {
	c := startConsole(t)
	g := c.gmCampaign("gm@example.com", "Shadows over Phandalin")
	xylandra := c.create(g, "/campaigns/"+g.id+"/characters", map[string]any{"name": "Xylandra Moonwhisper", "character_type": "npc",
		"aliases": []string{"the Moon Witch"}, "tags": []string{"elf", "druid"}})
	c.create(g, "/campaigns/"+g.id+"/characters", map[string]any{"name": "Gorik Stonebeard", "character_type": "pc"})
	grove := c.location(g, "", "Moonwhisper Grove", "forest", "Where Xylandra keeps her <circle> of standing stones & owls.")
	c.create(g, "/campaigns/"+g.id+"/plots", map[string]any{"title": "The Moon Witch's bargain", "summary": "Xylandra offers the party a deal.", "status": "active"})

	p := c.browser(t).failOnScriptErrors()
	p.signIn(g.email)
	p.open("#/c/" + g.id + "/locations")
	p.waitText(`[role="tree"]`, "Moonwhisper Grove")
	box := `#nav input[role="combobox"]`
	p.typeIn(box, "Xylandra Moonwisper")
	p.waitJS(`[...document.querySelectorAll('#nav [role="option"]')].some(o => o.textContent.includes("Xylandra") && o.querySelector("mark"))`)
	if exp := p.eval(`document.querySelector(` + jsString(box) + `).getAttribute("aria-expanded")`); exp != "true" {
		t.Errorf("combobox aria-expanded = %v with results shown", exp)
	}
	// The highlight's markers became <mark> elements; no markup text is
	// left over, and no other element came from the API's string.
	if leftover := p.eval(`[...document.querySelectorAll('#nav [role="option"]')].some(o => o.textContent.includes("<mark>") || o.textContent.includes("&lt;"))`); leftover != false {
		t.Error("the highlight's markup shows as text")
	}
	p.calmShot("search-instant")
	first := p.text(`#nav [role="option"]`)
	if !strings.Contains(first, "Xylandra Moonwhisper") {
		t.Errorf("first instant result is %q, want the character", first)
	}
	p.do(chromedp.SendKeys(chromedp.CSS(box), kb.ArrowDown))
	p.waitJS(`document.querySelector('#nav [role="option"]')?.getAttribute("aria-selected") === "true"`)
	p.do(chromedp.SendKeys(chromedp.CSS(box), kb.Enter))
	p.waitJS(`location.hash === "#/c/` + g.id + `/characters/` + xylandra + `"`)

	// A sound-alike spelling finds her too; Enter with nothing chosen opens
	// the search page.
	p.open("#/c/" + g.id)
	p.typeIn(box, "Xilandra")
	p.waitJS(`[...document.querySelectorAll('#nav [role="option"]')].some(o => o.textContent.includes("Xylandra Moonwhisper") && o.querySelector("mark"))`)
	p.do(chromedp.SendKeys(chromedp.CSS(box), kb.Enter))
	p.waitJS(`location.hash.startsWith("#/c/` + g.id + `/search?q=Xilandra")`)
	p.visible(".search-results a")
	p.waitText(".search-results", "Xylandra Moonwhisper")

	// "moonwhisper" matches a character and a location: the type chips
	// count both and filter to one.
	p.open("#/c/" + g.id + "/search?q=" + q("moonwhisper"))
	p.waitText(".chips", "Locations")
	p.waitText(".search-results", "Moonwhisper Grove")
	p.waitText(".search-results", "Xylandra Moonwhisper")
	p.calmShot("search")
	p.clickText("Locations 1")
	p.waitJS(`location.hash.includes("types=location")`)
	p.waitJS(`document.querySelectorAll(".search-results li").length === 1`)
	p.waitText(".search-results", "Moonwhisper Grove")
	p.click(".search-results a")
	p.waitJS(`location.hash === "#/c/` + g.id + `/locations?focus=` + grove + `"`)
	p.waitText(".loc-detail h2", "Moonwhisper Grove")

	// Text with markup characters is shown as text.
	p.open("#/c/" + g.id + "/search?q=" + q("standing stones"))
	p.waitText(".search-results", "standing stones")
	if n := p.eval(`document.querySelectorAll(".search-results circle").length`); n != float64(0) {
		t.Errorf("a location's description made %v elements", n)
	}

	// A transcript line shows its session, time, speaker and snippet, and
	// opens the session at that line.
	sid := c.create(g, "/campaigns/"+g.id+"/sessions", map[string]any{"title": "Night at the Grove"})
	c.call("POST", "/sessions/"+sid+"/transcript/segments", g.token, map[string]any{"segments": []any{
		map[string]any{"speaker_label": "SPEAKER_00", "start_ms": 0, "end_ms": 2000, "text": "We set up camp."},
		map[string]any{"speaker_label": "SPEAKER_01", "start_ms": 61000, "end_ms": 64000, "text": "The owls of the grove fall silent at midnight."},
	}}, 201)
	p.open("#/c/" + g.id + "/search?q=" + q("midnight owls"))
	p.waitText(".search-results", "Night at the Grove")
	line := p.text(".search-results li")
	for _, want := range []string{"Transcript line", "1:01", "SPEAKER_01", "owls of the grove"} {
		if !strings.Contains(line, want) {
			t.Errorf("transcript result %q does not show %q", line, want)
		}
	}
	if n := p.eval(`document.querySelectorAll(".search-results li mark").length`); n != float64(2) {
		t.Errorf("transcript result marks %v words, want 2", n)
	}
	p.waitText(".chips", "Transcript lines")
	p.calmShot("search-transcript")
	p.click(".search-results a")
	p.waitJS(`location.hash === "#/c/` + g.id + `/sessions/` + sid + `?seq=2"`)
	p.waitJS(`document.querySelector(".seg-asked")?.textContent.includes("fall silent at midnight")`)
}
