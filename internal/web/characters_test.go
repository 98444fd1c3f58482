package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/config"
)

// world is a campaign seeded through the API: a GM, a player and a cast
// of characters related to each other.
type world struct {
	campaign         string
	gm, player       string // access tokens
	gmID, playerID   string
	ids              map[string]string // character name → id
	relIDs           map[string]string // "A>B" → relationship id
	gmEmail, plEmail string
}

// cast is the seeded characters: name, type, visibility, tags, stats.
var cast = []struct {
	name, typ, vis string
	tags           []string
	stats          map[string]any
}{
	{"Wren Ashdown", "pc", "players", []string{"party"}, map[string]any{"class": "Ranger", "level": 3,
		"sheet": map[string]any{"stats": []any{
			map[string]any{"id": 1, "value": 12}, map[string]any{"id": 2, "value": 17}, map[string]any{"id": 3, "value": 14},
			map[string]any{"id": 4, "value": 10}, map[string]any{"id": 5, "value": 15}, map[string]any{"id": 6, "value": 8}}}}},
	{"Tobias Vell", "pc", "players", []string{"party"}, map[string]any{"class": "Cleric", "level": 3}},
	{"Marla Gull", "npc", "players", []string{"saltmere", "innkeeper"}, map[string]any{"role": "Keeps the Gull & Anchor", "ac": 11, "hp": "9 (2d8)",
		"sheet": map[string]any{"abilities": map[string]any{"str": 10, "dex": 12, "con": 11, "int": 12, "wis": 14, "cha": 16}}}},
	{"Corvin Pike", "npc", "players", []string{"saltmere", "authority"}, map[string]any{"role": "Harbourmaster"}},
	{"Brother Oswin", "npc", "players", []string{"lighthouse"}, map[string]any{"role": "Lamplighter"}},
	{"Sister Nell", "npc", "players", []string{"lighthouse"}, map[string]any{"role": "Oswin's sister"}},
	{"The Drowned Voice", "npc", "gm", []string{"cult"}, map[string]any{"cr": 5, "senses": map[string]any{"darkvision": "60 ft", "passive_perception": 14}}},
}

// ties is the seeded relationships: from, kind, to, attitude.
var ties = []struct {
	from, kind, to string
	attitude       int
}{
	{"Wren Ashdown", "ally", "Tobias Vell", 70},
	{"Tobias Vell", "ally", "Wren Ashdown", 65},
	{"Marla Gull", "fears", "Corvin Pike", -40},
	{"Corvin Pike", "employer", "Marla Gull", 20},
	{"Wren Ashdown", "owes_money_to", "Marla Gull", 15},
	{"Corvin Pike", "rival", "Brother Oswin", -60},
	{"Brother Oswin", "family", "Sister Nell", 80},
	{"Brother Oswin", "serves", "The Drowned Voice", 40},
}

func seedWorld(t *testing.T, c *console) *world {
	t.Helper()
	w := &world{ids: map[string]string{}, relIDs: map[string]string{}, gmEmail: "gm@example.com", plEmail: "player@example.com"}
	w.gmID, w.gm = c.signUp(w.gmEmail)
	w.playerID, w.player = c.signUp(w.plEmail)
	w.campaign = c.call("POST", "/campaigns", w.gm, map[string]any{"name": "Saltmere Nights", "game_system": "dnd5e",
		"description": "A fishing town whose lighthouse went dark."}, 201)["id"].(string)
	code := c.call("POST", "/campaigns/"+w.campaign+"/invites", w.gm, map[string]any{"role": "player"}, 201)["code"].(string)
	c.call("POST", "/invites/"+code+"/accept", w.player, nil, 200)
	for _, ch := range cast {
		body := map[string]any{"name": ch.name, "character_type": ch.typ, "visibility": ch.vis, "tags": ch.tags, "stats": ch.stats,
			"notes": map[string]any{"summary": ch.name + " lives in Saltmere."}}
		if ch.name == "Tobias Vell" {
			body["owner_id"] = w.playerID
		}
		w.ids[ch.name] = c.call("POST", "/campaigns/"+w.campaign+"/characters", w.gm, body, 201)["id"].(string)
	}
	for _, r := range ties {
		vis := "players"
		if r.to == "The Drowned Voice" {
			vis = "gm"
		}
		w.relIDs[r.from+">"+r.to] = c.call("POST", "/characters/"+w.ids[r.from]+"/relationships", w.gm, map[string]any{
			"target_id": w.ids[r.to], "kind": r.kind, "attitude": r.attitude, "visibility": vis,
			"description": fmt.Sprintf("%s and %s go back years.", r.from, r.to), "note": "met in session 1"}, 201)["id"].(string)
	}
	return w
}

// quiet readies the page for a screenshot: no passing toasts, no focus
// ring left by the last click, scrolled to the top. It also fails the test
// if the page shows a JavaScript value where text belongs.
func (p *page) quiet() {
	p.t.Helper()
	p.eval(`document.querySelectorAll(".toast").forEach(t => t.remove()); document.activeElement.blur(); window.scrollTo(0, 0); true`)
	if leak := p.eval(`(document.querySelector("main").innerText.match(/\b(null|undefined|NaN)\b|\[object Object\]/) || [""])[0]`); leak != "" {
		p.t.Errorf("the page shows %q: %s", leak, p.text("main"))
	}
}

// errorsSeen fails the test if the page reported errors since
// watchErrors.
func (p *page) errorsSeen() {
	p.t.Helper()
	if errs := p.watchErrors()(); len(errs) > 0 {
		p.t.Errorf("the page reported errors: %v", errs)
	}
}

// The GM creates a character through the form; it shows up in the list,
// whose filters narrow it; the detail page shows relationships both ways;
// a stale edit is refused with the conflict message; and a player sees
// neither the GM-only NPC nor the edit buttons.
func TestConsoleCharacters(t *testing.T) {
	c := startConsole(t)
	w := seedWorld(t, c)
	p := c.browser(t)
	p.signIn(w.gmEmail)
	p.watchErrors()

	// Create through the form.
	p.open("#/c/" + w.campaign + "/characters/new")
	p.watchErrors()
	p.typeIn(`#character-form input[name="name"]`, "Captain Ysolde Brine")
	p.setValue(`#character-form select[name="character_type"]`, "npc")
	p.setValue(`#character-form select[name="visibility"]`, "players")
	p.typeIn(`#character-form input[name="tags"]`, "saltmere, harbour")
	p.typeIn(`#character-form input[name="aliases"]`, "the Captain, Ysi")
	p.eval(`(() => { const rows = document.querySelectorAll('[data-kv="stats"] .kv-row');
		rows[0].querySelector("[data-kv-key]").value = "class"; rows[0].querySelector("[data-kv-value]").value = "Swashbuckler";
		rows[1].querySelector("[data-kv-key]").value = "level"; rows[1].querySelector("[data-kv-value]").value = "7"; return true })()`)
	p.eval(`(() => { const r = document.querySelector('[data-kv="notes"] .kv-row');
		r.querySelector("[data-kv-value]").value = "Smuggles for Pike, hates it."; return true })()`)
	p.shot("character-edit")
	p.click(`#character-form button[type="submit"]`)
	p.waitText("main h1", "Captain Ysolde Brine")
	created := strings.TrimPrefix(p.eval("location.hash").(string), "#/c/"+w.campaign+"/characters/")
	got := c.call("GET", "/characters/"+created, w.gm, nil, 200)
	stats, _ := got["stats"].(map[string]any)
	if got["name"] != "Captain Ysolde Brine" || got["character_type"] != "npc" || stats["level"] != float64(7) || stats["class"] != "Swashbuckler" ||
		fmt.Sprint(got["aliases"]) != "[the Captain Ysi]" || fmt.Sprint(got["tags"]) != "[saltmere harbour]" {
		t.Errorf("the form stored %v", got)
	}

	// The list, with its filters.
	p.open("#/c/" + w.campaign + "/characters")
	p.watchErrors()
	p.waitText("#character-list", "Captain Ysolde Brine")
	count := func() int {
		n, _ := p.eval(`document.querySelectorAll("#character-list > li").length`).(float64)
		return int(n)
	}
	if n := count(); n != len(cast)+1 {
		t.Errorf("the list shows %d characters, want %d", n, len(cast)+1)
	}
	p.setValue(`select[name="character_type"]`, "pc")
	p.waitJS(`document.querySelectorAll("#character-list > li").length === 2`)
	p.setValue(`select[name="character_type"]`, "")
	p.setValue(`input[name="tag"]`, "lighthouse")
	p.waitJS(`document.querySelectorAll("#character-list > li").length === 2 && document.querySelector("#character-list").textContent.includes("Sister Nell")`)
	p.setValue(`input[name="tag"]`, "")
	p.setValue(`input[name="q"]`, "Ysolde")
	p.waitJS(`document.querySelectorAll("#character-list > li").length === 1 && document.querySelector("#character-list").textContent.includes("Captain Ysolde Brine")`)
	if h := p.eval("location.hash").(string); !strings.Contains(h, "q=Ysolde") {
		t.Errorf("the filter is not in the address: %s", h)
	}
	p.setValue(`input[name="q"]`, "")
	p.waitJS(fmt.Sprintf(`document.querySelectorAll("#character-list > li").length === %d`, len(cast)+1))
	p.quiet()
	p.shot("characters-list")

	// The detail page: Marla fears Pike (outgoing), Pike employs her and
	// Wren owes her (incoming).
	p.click(`#character-list a[href$="/` + w.ids["Marla Gull"] + `"]`)
	p.waitText("main h1", "Marla Gull")
	p.waitText("#rels-out", "Corvin Pike")
	p.waitText("#rels-out", "fears")
	p.waitText("#rels-in", "employer")
	p.waitText("#rels-in", "owes money to")
	p.waitText("#rels-in", "Wren Ashdown")
	if txt := p.text("#relationships"); !strings.Contains(txt, "History (1)") {
		t.Errorf("relationships show no history: %s", txt)
	}
	// The GM relates her to Nell from the page, and awards an achievement.
	p.clickText("Add a relationship")
	p.setValue(`.rel-form select[name="target_id"]`, w.ids["Sister Nell"])
	p.setValue(`.rel-form input[name="kind"]`, "Old friend")
	p.setValue(`.rel-form input[name="attitude"]`, "55")
	p.setValue(`.rel-form select[name="visibility"]`, "players")
	p.click(`.rel-form button[type="submit"]`)
	p.waitText("#rels-out", "Sister Nell")
	p.waitText("#rels-out", "old friend")
	var kinds []string
	for _, r := range c.call("GET", "/characters/"+w.ids["Marla Gull"]+"/relationships", w.gm, nil, 200)["items"].([]any) {
		if r := r.(map[string]any); r["target_id"] == w.ids["Sister Nell"] {
			kinds = append(kinds, fmt.Sprint(r["kind"], " ", r["attitude"], " ", r["visibility"]))
		}
	}
	if fmt.Sprint(kinds) != "[old_friend 55 players]" {
		t.Errorf("the form related Marla to Nell as %v", kinds)
	}
	p.typeIn(`.award input[name="title"]`, "Kept the inn open through the storm")
	p.click(`.award button[type="submit"]`)
	p.waitText("#achievements", "Kept the inn open")
	// Voice notes through their own route.
	p.clickText("Edit voice notes")
	p.typeIn(`#voice-notes textarea`, "Loud, calls everyone duck.")
	p.click(`#voice-notes button[type="submit"]`)
	p.waitText("#voice-notes", "calls everyone duck")
	if v := c.call("GET", "/characters/"+w.ids["Marla Gull"]+"/voice-notes", w.gm, nil, 200)["voice_notes"]; v != "Loud, calls everyone duck." {
		t.Errorf("voice notes stored: %v", v)
	}
	p.quiet()
	p.shot("character-detail")

	// Editing a relationship from the page changes its attitude and keeps
	// the history.
	relOut := `#rels-out li[data-rel="` + w.relIDs["Marla Gull>Corvin Pike"] + `"]`
	p.eval(`[...document.querySelectorAll(` + jsString(relOut+" button") + `)].find(b => b.textContent === "Edit").click()`)
	p.setValue(relOut+` input[name="attitude"]`, "-75")
	p.setValue(relOut+` input[name="note"]`, "He threatened her")
	p.click(relOut + ` button[type="submit"]`)
	p.waitText(relOut, "hostile -75")
	p.waitText(relOut, "History (2)")

	// A stale edit: someone else renames her after the form was loaded.
	p.open("#/c/" + w.campaign + "/characters/" + w.ids["Marla Gull"] + "/edit")
	p.watchErrors()
	p.visible(`#character-form input[name="name"]`)
	version := c.call("GET", "/characters/"+w.ids["Marla Gull"], w.gm, nil, 200)["version"].(float64)
	c.call("PATCH", "/characters/"+w.ids["Marla Gull"], w.gm, map[string]any{"name": "Marla Gull the Elder"}, 200)
	p.setValue(`#character-form input[name="name"]`, "Marla Gull-Pike")
	p.click(`#character-form button[type="submit"]`)
	p.waitText("#character-form .form-error", "Someone changed this while you were editing")
	if name := c.call("GET", "/characters/"+w.ids["Marla Gull"], w.gm, nil, 200)["name"]; name != "Marla Gull the Elder" {
		t.Errorf("a stale edit overwrote the name: %v (form based on version %v)", name, version)
	}

	// Saving a form unchanged keeps nested stats (Wren's sheet) as they were.
	before := c.call("GET", "/characters/"+w.ids["Wren Ashdown"], w.gm, nil, 200)
	p.open("#/c/" + w.campaign + "/characters/" + w.ids["Wren Ashdown"] + "/edit")
	p.visible(`#character-form input[name="name"]`)
	p.click(`#character-form button[type="submit"]`)
	p.waitJS(`location.hash.endsWith("/characters/` + w.ids["Wren Ashdown"] + `")`)
	p.visible(".abilities")
	after := c.call("GET", "/characters/"+w.ids["Wren Ashdown"], w.gm, nil, 200)
	if fmt.Sprint(after["stats"]) != fmt.Sprint(before["stats"]) || fmt.Sprint(after["notes"]) != fmt.Sprint(before["notes"]) ||
		after["version"] != before["version"].(float64)+1 {
		t.Errorf("an unchanged save changed the character:\n%v\n%v", before, after)
	}
	if abil := p.text(".abilities"); !strings.Contains(abil, "DEX\n17\n+3") {
		t.Errorf("Wren's sheet shows as %q", abil)
	}

	// Deleting a relationship and a character asks first.
	p.open("#/c/" + w.campaign + "/characters/" + created)
	p.waitText("main h1", "Captain Ysolde Brine")
	p.clickText("Delete")
	p.clickText("Cancel")
	p.visible("#edit-character")
	c.call("GET", "/characters/"+created, w.gm, nil, 200)
	p.clickText("Delete")
	p.clickText("Delete for good")
	p.waitJS(`location.hash === "#/c/` + w.campaign + `/characters"`)
	c.call("GET", "/characters/"+created, w.gm, nil, 404)
	p.open("#/c/" + w.campaign + "/characters/" + w.ids["Sister Nell"])
	rel := `#rels-in li[data-rel="` + w.relIDs["Brother Oswin>Sister Nell"] + `"]`
	p.visible(rel)
	p.eval(`[...document.querySelectorAll(` + jsString(rel+" button") + `)].find(b => b.textContent === "Delete").click()`)
	p.eval(`[...document.querySelectorAll(` + jsString(rel+" button.danger") + `)].find(b => b.textContent === "Delete").click()`)
	p.gone(rel)
	c.call("GET", "/relationships/"+w.relIDs["Brother Oswin>Sister Nell"], w.gm, nil, 404)
	p.errorsSeen()

	// The player: no GM-only NPC, no edit or delete on an NPC, no
	// relationship form; their own PC they may edit.
	q := p.tab()
	q.signIn(w.plEmail)
	q.open("#/c/" + w.campaign + "/characters")
	q.watchErrors()
	q.waitText("#character-list", "Corvin Pike")
	if txt := q.text("#character-list"); strings.Contains(txt, "The Drowned Voice") {
		t.Error("the player's list shows the GM-only NPC")
	}
	q.open("#/c/" + w.campaign + "/characters/" + w.ids["Corvin Pike"])
	q.waitText("main h1", "Corvin Pike")
	q.waitText("#rels-out", "Marla Gull")
	for _, css := range []string{"#edit-character", ".rel-form", ".award", "#relationships .actions button"} {
		if n := q.eval(`document.querySelectorAll(` + jsString(css) + `).length`); n != float64(0) {
			t.Errorf("the player sees %s on an NPC", css)
		}
	}
	if q.eval(`[...document.querySelectorAll("button")].some(b => b.textContent === "Delete")`) == true {
		t.Error("the player sees a Delete button")
	}
	q.open("#/c/" + w.campaign + "/characters/" + w.ids["Tobias Vell"])
	q.click("#edit-character")
	q.visible(`#character-form input[name="name"]`)
	if n := q.eval(`document.querySelectorAll('#character-form [name="visibility"], #character-form [name="owner_id"], [data-kv="gm_notes"]').length`); n != float64(0) {
		t.Error("the player's form offers GM-only fields")
	}
	q.setValue(`#character-form input[name="aliases"]`, "Toby, Brother Tobias")
	q.click(`#character-form button[type="submit"]`)
	q.waitText("main", "Also known as Toby, Brother Tobias")
	if a := c.call("GET", "/characters/"+w.ids["Tobias Vell"], w.gm, nil, 200)["aliases"]; fmt.Sprint(a) != "[Toby Brother Tobias]" {
		t.Errorf("the player's edit stored aliases %v", a)
	}
	q.errorsSeen()
	q.open("#/c/" + w.campaign + "/characters/" + w.ids["The Drowned Voice"])
	q.waitText("main", "not found")
}

// The GM sees the settings, members and invites; saving the settings
// changes the campaign, an invite link is shown, and a player's role can
// be changed; a player sees the overview and members only.
func TestConsoleCampaignSettings(t *testing.T) {
	c := startConsole(t, func(cfg *config.Config) { cfg.CampaignAITokensPerMonth = 50000 })
	w := seedWorld(t, c)
	p := c.browser(t)
	p.signIn(w.gmEmail)
	p.open("#/c/" + w.campaign)
	p.watchErrors()
	p.visible("#campaign-settings")
	// The usage card shows the server's budgets; a campaign budget above
	// the server's is refused beside its field.
	p.waitText(`#campaign-usage tr[data-budget="audio"] .limit`, "no limit")
	p.setValue(`#campaign-settings input[name="ai_tokens_per_month"]`, "60000")
	p.click(`#campaign-settings button[type="submit"]`)
	p.waitText("#campaign-settings", "at most the server's budget of 50000 tokens")
	p.setValue(`#campaign-settings input[name="ai_tokens_per_month"]`, "1000")
	p.setValue(`#campaign-settings input[name="audio_minutes_per_month"]`, "30")
	p.setValue(`#campaign-settings input[name="name"]`, "Saltmere Nights II")
	p.setValue(`#campaign-settings input[name="reminder_sessions"]`, "5")
	p.click(`#campaign-settings input[name="keep_recordings"]`)
	p.setValue(`#campaign-settings input[name="recording_retention_days"]`, "30")
	p.click(`#campaign-settings input[name="disabled_features"][value="ai"]`)
	p.click(`#campaign-settings button[type="submit"]`)
	p.waitText("#overview-title", "Saltmere Nights II")
	p.waitText("#nav", "Saltmere Nights II")
	got := c.call("GET", "/campaigns/"+w.campaign, w.gm, nil, 200)
	s := got["settings"].(map[string]any)
	if got["name"] != "Saltmere Nights II" || s["reminder_sessions"] != float64(5) || s["keep_recordings"] != true || s["recording_retention_days"] != float64(30) {
		t.Errorf("settings stored: %v", got)
	}
	if off, _ := s["disabled_features"].([]any); len(off) != 1 || off[0] != "ai" {
		t.Errorf("features switched off = %v, want the one unticked, ai", s["disabled_features"])
	}
	if s["ai_tokens_per_month"] != float64(1000) || s["audio_minutes_per_month"] != float64(30) {
		t.Errorf("budgets stored: %v", s)
	}
	p.waitText(`#campaign-usage tr[data-budget="audio"] .limit`, "30 min")
	p.waitText(`#campaign-usage tr[data-budget="ai"] .limit`, "this campaign's")
	p.waitText(`#campaign-usage tr[data-budget="ai"] .used`, "0 tokens")
	p.setValue(`#invite-form select[name="role"]`, "observer")
	p.setValue(`#invite-form select[name="expires_in"]`, "86400")
	p.setValue(`#invite-form input[name="max_uses"]`, "3")
	p.click(`#invite-form button[type="submit"]`)
	p.visible(".invite-link")
	link := p.eval(`document.querySelector(".invite-link").value`).(string)
	prefix := strings.TrimSuffix(c.url, "/") + "/#/invite/"
	if !strings.HasPrefix(link, prefix) {
		t.Fatalf("invite link %q", link)
	}
	p.waitText(".invite", "Observer")
	p.waitText(".invite", "3 people")
	// The link's code works, with the role chosen.
	_, watcher := c.signUp("watcher@example.com")
	if m := c.call("POST", "/invites/"+strings.TrimPrefix(link, prefix)+"/accept", watcher, nil, 200); m["role"] != "observer" {
		t.Errorf("joined with the invite as %v", m["role"])
	}

	sel := `tr[data-member="` + w.playerID + `"] select`
	p.setValue(sel, "observer")
	p.waitJS(`[...document.querySelectorAll(".toast")].some(t => t.textContent.includes("Observer"))`)
	var role string
	for _, m := range c.call("GET", "/campaigns/"+w.campaign+"/members", w.gm, nil, 200)["items"].([]any) {
		if m.(map[string]any)["user_id"] == w.playerID {
			role = m.(map[string]any)["role"].(string)
		}
	}
	if role != "observer" {
		t.Errorf("player's role is %q after the change", role)
	}
	p.setValue(sel, "player")
	p.waitJS(`[...document.querySelectorAll(".toast")].some(t => t.textContent.includes("Player"))`)
	p.quiet()
	p.shot("campaign-settings")
	// Out-of-range input is answered beside the field, nothing stored.
	p.eval(`document.querySelector('#campaign-settings input[name="reminder_sessions"]').removeAttribute("max")`)
	p.setValue(`#campaign-settings input[name="reminder_sessions"]`, "500")
	p.click(`#campaign-settings button[type="submit"]`)
	p.waitJS(`(() => { const i = document.querySelector('#campaign-settings input[name="reminder_sessions"]');
		return i.getAttribute("aria-invalid") === "true" && document.getElementById(i.id + "-err").textContent !== "" })()`)
	if s := c.call("GET", "/campaigns/"+w.campaign, w.gm, nil, 200)["settings"].(map[string]any); s["reminder_sessions"] != float64(5) {
		t.Errorf("a refused change stored reminder_sessions %v", s["reminder_sessions"])
	}
	p.errorsSeen()

	q := p.tab()
	q.signIn(w.plEmail)
	q.open("#/c/" + w.campaign)
	q.waitText("#members-title", "Members")
	q.waitText("main", "Game master")
	for _, css := range []string{"#campaign-settings", "#invite-form", ".danger-zone", "tr select"} {
		if n := q.eval(`document.querySelectorAll(` + jsString(css) + `).length`); n != float64(0) {
			t.Errorf("the player sees %s", css)
		}
	}

	// Deleting asks first: the button stays disabled until the name is typed.
	p.clickText("Delete campaign…")
	p.visible(`input[name="confirm_name"]`)
	if p.eval(`[...document.querySelectorAll(".danger-zone button")].find(b => b.textContent === "Delete for good").disabled`) != true {
		t.Error("delete is possible without typing the name")
	}
	p.typeIn(`input[name="confirm_name"]`, "Saltmere Nights II")
	p.clickText("Delete for good")
	p.waitJS(`location.hash === "#/"`)
	c.call("GET", "/campaigns/"+w.campaign, w.gm, nil, 404)
}
