package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/testenv"
)

// The GM drafts an NPC with a seed; the same seed drafts the same NPC
// again (as the API does); Save stores that very draft as a GM-only NPC
// and links to it; Another draws a new seed. The encounter form, with
// the SRD bestiary imported, lists the monsters, their XP and the
// thresholds. A player gets an explanation instead of the forms.
func TestConsoleGenerate(t *testing.T) {
	c := startConsole(t)
	if _, err := c.app.Service().ImportReference(context.Background(), testenv.SRDDir(t)); err != nil {
		t.Fatal(err)
	}
	w := seedWorld(t, c)
	town := c.call("POST", "/campaigns/"+w.campaign+"/locations", w.gm, map[string]any{"name": "Saltmere", "location_type": "village", "visibility": "players"}, 201)["id"].(string)
	crypt := c.call("POST", "/campaigns/"+w.campaign+"/locations", w.gm, map[string]any{"name": "The Drowned Crypt", "location_type": "crypt", "parent_id": town, "visibility": "gm"}, 201)["id"].(string)

	p := c.browser(t).failOnScriptErrors()
	p.signIn(w.gmEmail)
	p.open("#/c/" + w.campaign + "/generate")
	p.waitJS(`[...document.querySelectorAll("#nav a")].some(a => a.textContent === "Generate" && a.getAttribute("aria-current") === "page")`)
	p.visible(`.gen-form input[name="ancestry"]`)
	p.typeIn(`.gen-form input[name="ancestry"]`, "dwarf")
	p.typeIn(`.gen-form input[name="occupation"]`, "smuggler")
	p.typeIn(`.gen-form input[name="seed"]`, "4242")
	p.press(`.gen-form button[type="submit"]`)
	p.waitJS(`document.querySelectorAll(".gen-draft").length === 1`)
	first := p.text(".gen-draft .gen-name")
	p.press(`.gen-form button[type="submit"]`)
	p.waitJS(`document.querySelectorAll(".gen-draft").length === 2`)
	if again := p.text(".gen-draft:first-child .gen-name"); again != first || first == "" {
		t.Errorf("seed 4242 drafted %q, then %q", first, again)
	}
	api := c.call("POST", "/campaigns/"+w.campaign+"/generate/npc?seed=4242", w.gm, map[string]any{"hints": map[string]any{"ancestry": "dwarf", "occupation": "smuggler"}}, 200)["draft"].(map[string]any)
	if api["name"] != first {
		t.Errorf("the page drafted %q, the API %q for the same seed", first, api["name"])
	}
	card := p.text(".gen-draft:first-child")
	for _, want := range []string{"dwarf", "smuggler", "Personality", "Ideal", "Bond", "Flaw", "Motivation", "GM only", "Secret", "Voice", "Seed 4242", api["secret"].(string)} {
		if !strings.Contains(card, want) {
			t.Errorf("the NPC card lacks %q: %s", want, card)
		}
	}

	// Save stores the card's draft, by its seed.
	p.press(".gen-draft:first-child .actions button")
	p.waitText(".gen-draft:first-child .gen-saved", first)
	p.quiet()
	p.calmShot("generate-npc")
	href := p.eval(`document.querySelector(".gen-draft:first-child .gen-saved a").getAttribute("href")`).(string)
	id := href[strings.LastIndex(href, "/")+1:]
	ch := c.call("GET", "/characters/"+id, w.gm, nil, 200)
	if ch["name"] != first || ch["visibility"] != "gm" || ch["character_type"] != "npc" {
		t.Errorf("saved %v, want the GM-only NPC %q", ch, first)
	}
	if gn := fmt.Sprint(ch["gm_notes"]); !strings.Contains(gn, api["secret"].(string)) {
		t.Errorf("the saved NPC's gm_notes %s lack the secret %q", gn, api["secret"])
	}
	// Another asks without a seed: a new one is drawn.
	p.press(".gen-draft:first-child .actions button.secondary")
	p.waitJS(`document.querySelectorAll(".gen-draft").length === 3`)
	if s := p.eval(`document.querySelector(".gen-draft:first-child").dataset.seed`); s == "4242" {
		t.Error("Another drafted with the same seed")
	}

	// An encounter for a party of four at level 3, hard, in the crypt.
	p.press("#gen-tab-encounter")
	p.visible(`.gen-form input[name="party_level"]`)
	p.setValue(`.gen-form select[name="difficulty"]`, "hard")
	p.eval(`(() => { const s = document.querySelector('.gen-form select[name="location_id"]'); s.value = [...s.options].find(o => o.textContent.includes("Drowned Crypt")).value; return true })()`)
	p.typeIn(`.gen-form input[name="seed"]`, "77")
	p.press(`.gen-form button[type="submit"]`)
	p.waitJS(`document.querySelectorAll(".gen-encounter .gen-monsters tbody tr").length > 0`)
	enc := c.call("POST", "/campaigns/"+w.campaign+"/generate/encounter?seed=77", w.gm, map[string]any{"party_level": 3, "party_size": 4, "difficulty": "hard", "location_id": crypt}, 200)
	var want []string
	for _, m := range enc["monsters"].([]any) {
		m := m.(map[string]any)
		want = append(want, fmt.Sprintf("%s × %v", m["name"], m["count"]))
	}
	text := p.eval(`document.querySelector(".gen-encounter").textContent`).(string)
	for _, want := range []string{"Hard encounter for 4 level-3 characters", "Adjusted XP", "Difficulty reached", "Easy", "Deadly", "Drowned Crypt"} {
		if !strings.Contains(text, want) {
			t.Errorf("the encounter lacks %q: %s", want, text)
		}
	}
	rows := p.eval(`[...document.querySelectorAll(".gen-monsters tbody tr")].map(r => r.cells[0].querySelector("strong").textContent + " " + r.cells[1].textContent)`).([]any)
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("the page lists %v, the API %v for the same seed", rows, want)
	}
	p.quiet()
	p.calmShot("generate-encounter")

	// A tavern in Saltmere, saved below it with its people.
	p.press("#gen-tab-location")
	p.typeIn(`.gen-form input[name="type"]`, "tavern")
	p.eval(`(() => { const s = document.querySelector('.gen-form select[name="parent_id"]'); s.value = ` + jsString(town) + `; return true })()`)
	p.press(`.gen-form button[type="submit"]`)
	p.waitText(".gen-location .badges", "in Saltmere")
	place := p.text(".gen-location .gen-name")
	p.press(".gen-location .actions button")
	p.waitText(".gen-location .gen-saved", place)
	href = p.eval(`document.querySelector(".gen-location .gen-saved a").getAttribute("href")`).(string)
	loc := c.call("GET", "/locations/"+href[strings.LastIndex(href, "=")+1:], w.gm, nil, 200)
	if loc["name"] != place || loc["parent_id"] != town || loc["location_type"] != "tavern" {
		t.Errorf("saved location %v, want the tavern %q in Saltmere", loc, place)
	}

	// Plot hooks cite the campaign's people, as links.
	p.press("#gen-tab-hooks")
	p.press(`.gen-form button[type="submit"]`)
	p.waitJS(`document.querySelectorAll(".gen-hooks > li").length > 0`)
	if n := p.eval(`document.querySelectorAll('.gen-hooks a[href*="/characters/"]').length`).(float64); n == 0 {
		t.Errorf("no hook cites a character: %s", p.text(".gen-hooks"))
	}

	// A player is told what the page is, and given no form.
	q := p.tab().failOnScriptErrors()
	q.signIn(w.plEmail)
	q.open("#/c/" + w.campaign + "/generate")
	q.waitText(".gen-closed", "Only the campaign's GM")
	if n := q.eval(`document.querySelectorAll(".gen-form").length`); n != 0.0 {
		t.Errorf("a player sees %v generator forms", n)
	}
}
