package web_test

import (
	"bytes"
	"crypto/rand"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/discord/discordtest"
)

const (
	hookID    = "1234567890123456789"
	hookToken = "Sx9-TOKEN_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefghijklmnopqrstu"
)

// The GM registers a Discord webhook on the campaign page (a URL that is
// not Discord's is refused beside the field, nothing saved) and posts a
// session's recap from its summary page; the loopback Discord receives it.
func TestConsoleDiscord(t *testing.T) {
	dc := discordtest.New(t)
	dc.AddWebhook(hookID, hookToken)
	c := startConsole(t, func(cfg *config.Config) { cfg.DiscordAPIURL = dc.URL })
	w := seedWorld(t, c)
	session := c.call("POST", "/campaigns/"+w.campaign+"/sessions", w.gm, map[string]any{"title": "The Lighthouse Keeper"}, 201)["id"].(string)
	c.call("POST", "/sessions/"+session+"/start", w.gm, nil, 200)
	line := "Wren climbs the lighthouse stairs and finds the lamp smashed."
	c.call("POST", "/sessions/"+session+"/transcript/segments", w.gm, map[string]any{"segments": []map[string]any{
		{"speaker_label": "Alice", "start_ms": 1000, "end_ms": 5000, "text": line}}}, 201)

	p := c.browser(t)
	errs := p.watchErrors()
	p.signIn(w.gmEmail)
	p.open("#/c/" + w.campaign)
	p.waitText("#discord", "No webhook yet")

	p.typeIn(`#webhook-form input[name="name"]`, "#session-recaps")
	p.typeIn(`#webhook-form input[name="url"]`, "https://example.com/api/webhooks/"+hookID+"/"+hookToken)
	p.click(`#webhook-form button[type="submit"]`)
	p.waitJS(`document.querySelector('#webhook-form input[name="url"]').getAttribute("aria-invalid") === "true"`)
	if msg := p.text(`#webhook-form input[name="url"] ~ .field-error`); !strings.Contains(msg, "discord.com") {
		t.Errorf("a URL off Discord shows %q beside the field", msg)
	}
	if n := len(c.call("GET", "/discord/webhooks?campaign_id="+w.campaign, w.gm, nil, 200)["items"].([]any)); n != 0 {
		t.Fatalf("a refused webhook was saved (%d)", n)
	}

	p.setValue(`#webhook-form input[name="url"]`, "https://discord.com/api/webhooks/"+hookID+"/"+hookToken)
	p.click(`#webhook-form button[type="submit"]`)
	hint := hookToken[len(hookToken)-4:]
	p.waitText(".webhook-list", "#session-recaps")
	if got := p.text(".webhook-list .token-hint"); !strings.Contains(got, hint) {
		t.Errorf("the webhook shows hint %q, want one ending %q", got, hint)
	}
	if strings.Contains(p.text("main"), hookToken) || p.eval(`document.querySelector('#webhook-form input[name="url"]').value`) != "" {
		t.Error("the token stays on the page after the webhook was added")
	}
	if bad := p.eval(`document.querySelectorAll("#webhook-form [aria-invalid]").length`); bad != float64(0) {
		t.Error("the earlier field error stays after a good URL")
	}
	p.quiet()
	p.eval(`document.querySelector("#discord").scrollIntoView(); true`)
	p.shot("campaign-discord")

	p.open("#/c/" + w.campaign + "/sessions/" + session + "/summary")
	p.waitText(".discord-post", "#session-recaps")
	p.click(".discord-post button.post-discord")
	p.waitText(".discord-post [role=status]", "Posted to Discord")
	p.quiet()
	p.shot("session-discord")
	posted := dc.Posted()
	if len(posted) == 0 {
		t.Fatal("Discord received nothing")
	}
	var all strings.Builder
	for _, m := range posted {
		if m.WebhookID != hookID {
			t.Errorf("posted through webhook %s", m.WebhookID)
		}
		all.WriteString(m.Message.Content)
		for _, e := range m.Message.Embeds {
			all.WriteString(e.Title + "\n" + e.Description)
		}
	}
	if !strings.Contains(all.String(), "The Lighthouse Keeper") || !strings.Contains(all.String(), line) {
		t.Errorf("Discord received %q, want the session's title and its transcript", all.String())
	}

	// Players see the campaign's files but not its webhooks.
	pl := p.tab()
	pl.signIn(w.plEmail)
	pl.open("#/c/" + w.campaign)
	pl.waitText("#files", "No handouts yet")
	if n := pl.eval(`document.querySelectorAll("#discord, .webhook-list").length`); n != float64(0) {
		t.Error("a player sees the Discord settings")
	}

	// Deleting the webhook leaves the summary page nothing to post to.
	p.open("#/c/" + w.campaign)
	p.waitText(".webhook-list", "#session-recaps")
	p.click(`.webhook-list button[aria-label="Delete webhook #session-recaps"]`)
	p.waitText("#discord", "No webhook yet")
	p.open("#/c/" + w.campaign + "/sessions/" + session + "/summary")
	p.waitText(".discord-post", "add one on the campaign page")
	if e := errs(); len(e) > 0 {
		t.Errorf("the pages reported errors: %v", e)
	}
}

// portraitPNG is a small valid PNG: a figure-like gradient.
func portraitPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 150))
	for y := range 150 {
		for x := range 120 {
			dx, dy := x-60, y-55
			c := color.RGBA{uint8(40 + y/2), uint8(60 + x/3), 120, 255}
			if dx*dx+dy*dy < 30*30 || (y > 95 && dx*dx < (y-80)*(y-80)) {
				c = color.RGBA{220, 180, 140, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A player uploads a portrait of their own character with the file input;
// the progress bar reaches 100 % and the image shows, fetched with the
// token. A text file named .png is refused with the reason. On a
// character they do not own the player gets no upload control.
func TestConsoleCharacterPortrait(t *testing.T) {
	c := startConsole(t)
	w := seedWorld(t, c)
	dir := t.TempDir()
	good := filepath.Join(dir, "tobias.png")
	bogus := filepath.Join(dir, "notes.png")
	if err := os.WriteFile(good, portraitPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bogus, []byte("These are my session notes, not a picture."), 0o644); err != nil {
		t.Fatal(err)
	}

	p := c.browser(t)
	errs := p.watchErrors()
	p.signIn(w.plEmail)
	p.open("#/c/" + w.campaign + "/characters/" + w.ids["Wren Ashdown"])
	p.waitText(".portrait-card", "No portrait yet")
	if n := p.eval(`document.querySelectorAll(".portrait-card input[type=file]").length`); n != float64(0) {
		t.Error("a player may upload a portrait of a character they do not own")
	}

	p.open("#/c/" + w.campaign + "/characters/" + w.ids["Tobias Vell"])
	p.waitText(".portrait-card", "No portrait yet")
	input := `.portrait-card input[type="file"]`
	p.do(chromedp.SetUploadFiles(input, []string{bogus}))
	p.waitText(".portrait-card .drop-status.form-error", "not accepted")
	if msg := p.text(".portrait-card .drop-status"); !strings.Contains(msg, "png") {
		t.Errorf("the refusal says %q; want the accepted types", msg)
	}
	if n := len(c.call("GET", "/campaigns/"+w.campaign+"/files", w.gm, nil, 200)["files"].([]any)); n != 0 {
		t.Fatalf("a refused file was stored (%d)", n)
	}

	p.do(chromedp.SetUploadFiles(input, []string{good}))
	p.waitText(".portrait-card .drop-status.ok", "tobias.png uploaded")
	p.waitJS(`(() => { const i = document.querySelector(".portrait-card img.picture-img"); return !!i && i.complete && i.naturalWidth === 120 && i.src.startsWith("blob:") })()`)
	if v := p.eval(`document.querySelector(".portrait-card .drop-bar").value`); v != float64(100) {
		t.Errorf("the progress bar ends at %v", v)
	}
	p.waitText(".portrait-card .drop-pct", "100 %")
	p.quiet()
	p.shot("character-portrait")

	// The GM sees it too, after a reload.
	g := p.tab()
	g.signIn(w.gmEmail)
	g.open("#/c/" + w.campaign + "/characters/" + w.ids["Tobias Vell"])
	g.waitJS(`(() => { const i = document.querySelector(".portrait-card img.picture-img"); return !!i && i.complete && i.naturalWidth === 120 })()`)
	if e := errs(); len(e) > 0 {
		t.Errorf("the page reported errors: %v", e)
	}
}

// Handouts on the campaign page: upload, list, download, delete.
func TestConsoleCampaignFiles(t *testing.T) {
	c := startConsole(t)
	w := seedWorld(t, c)
	dir := t.TempDir()
	handout := filepath.Join(dir, "harbour-map.png")
	if err := os.WriteFile(handout, portraitPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	p := c.browser(t)
	p.signIn(w.gmEmail)
	p.open("#/c/" + w.campaign)
	p.waitText("#files", "No handouts yet")
	p.do(chromedp.SetUploadFiles(`#files input[type="file"]`, []string{handout}))
	p.waitText("#files .file-list", "harbour-map.png")
	// Download fetches the bytes with the token into a blob: link.
	// (The page's CSP keeps a test from fetching the blob: URL back, so
	// the blob is caught as it is made.)
	p.eval(`(() => { window.__dl = null; const orig = HTMLAnchorElement.prototype.click, make = URL.createObjectURL;
		URL.createObjectURL = (b) => { window.__size = b.size; return make(b) };
		HTMLAnchorElement.prototype.click = function () { if (this.download) { window.__dl = this.download + " " + this.href; return; } return orig.call(this); }; return true })()`)
	p.clickText("harbour-map.png")
	p.waitJS(`typeof window.__dl === "string" && window.__dl.startsWith("harbour-map.png blob:")`)
	if n := p.eval(`window.__size`); n != float64(len(portraitPNG(t))) {
		t.Errorf("the download holds %v bytes", n)
	}
	// A file dropped on the zone is uploaded as one picked.
	p.eval(`new Promise(done => { const cv = document.createElement("canvas"); cv.width = cv.height = 16;
		cv.toBlob(b => { const dt = new DataTransfer(); dt.items.add(new File([b], "sketch.png", {type: "image/png"}));
			document.querySelector("#files .drop-zone").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true})); done(true) }) })`)
	p.waitText("#files .file-list", "sketch.png")
	p.click(`#files button[aria-label="Delete sketch.png"]`)
	p.gone(`#files button[aria-label="Delete sketch.png"]`)
	p.click(`#files button[aria-label="Delete harbour-map.png"]`)
	p.waitText("#files", "No handouts yet")
	if n := len(c.call("GET", "/campaigns/"+w.campaign+"/files", w.gm, nil, 200)["files"].([]any)); n != 0 {
		t.Errorf("%d files left after the delete", n)
	}
}

// noisePNG is a PNG that does not compress: side×side random pixels.
func noisePNG(t *testing.T, side int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	if _, err := rand.Read(img.Pix); err != nil {
		t.Fatal(err)
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The GM gives a location a map in its detail panel; a file over the
// server's limit is refused as too large, with the limit named.
func TestConsoleLocationMap(t *testing.T) {
	const limit = 16 << 10
	c := startConsole(t, func(cfg *config.Config) { cfg.FileMaxBytes = limit })
	g := c.gmCampaign("gm@example.com", "Lost Mine of Phandelver")
	phandalin := c.location(g, "", "Phandalin", "town", "A frontier town rebuilt on the ruins of an older settlement.")
	dir := t.TempDir()
	big, small := filepath.Join(dir, "survey.png"), filepath.Join(dir, "phandalin.png")
	if err := os.WriteFile(big, noisePNG(t, 200), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(small, portraitPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}

	p := c.browser(t)
	errs := p.watchErrors()
	p.signIn(g.email)
	p.open("#/c/" + g.id + "/locations?focus=" + phandalin)
	p.waitText(".map-card", "No map yet")
	input := `.map-card input[type="file"]`
	p.do(chromedp.SetUploadFiles(input, []string{big}))
	p.waitText(".map-card .drop-status.form-error", "too large")
	if msg := p.text(".map-card .drop-status"); !strings.Contains(msg, strconv.Itoa(limit)) {
		t.Errorf("the refusal says %q; want the limit", msg)
	}
	p.do(chromedp.SetUploadFiles(input, []string{small}))
	p.waitJS(`(() => { const i = document.querySelector(".map-card img.picture-img"); return !!i && i.complete && i.naturalWidth === 120 })()`)
	if msg := p.text(".map-card .drop-status"); !strings.Contains(msg, "phandalin.png uploaded") {
		t.Errorf("after the upload the status says %q", msg)
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("the page reported errors: %v", e)
	}
}

// The GM picks, on the campaign page, the webhook approved summaries are
// posted to (the setting is saved), then approves a session's summary on
// its page: the summary shows as approved and the loopback Discord
// receives the recap, once; the Approve button is gone after a reload.
func TestConsoleSummaryApproval(t *testing.T) {
	dc := discordtest.New(t)
	dc.AddWebhook(hookID, hookToken)
	c := startConsole(t, func(cfg *config.Config) { cfg.DiscordAPIURL = dc.URL })
	w, session, _ := summaryTable(t, c)
	hook := c.call("POST", "/discord/webhooks", w.gm, map[string]any{"campaign_id": w.campaign, "name": "#recaps",
		"url": "https://discord.com/api/webhooks/" + hookID + "/" + hookToken}, 201)["id"].(string)

	p := c.browser(t).failOnScriptErrors()
	p.signIn(w.gmEmail)
	p.open("#/c/" + w.campaign)
	p.waitJS(`!!document.querySelector('#auto-post-webhook option[value=` + jsString(hook) + `]')`)
	p.setValue("#auto-post-webhook", hook)
	p.waitText("#discord .auto-post [role=status]", "Approved summaries are posted")
	settings := c.call("GET", "/campaigns/"+w.campaign, w.gm, nil, 200)["settings"].(map[string]any)
	if settings["discord_auto_post_webhook_id"] != hook {
		t.Fatalf("settings after the choice = %v", settings)
	}

	p.open("#/c/" + w.campaign + "/sessions/" + session + "/summary")
	p.press("button.summarise")
	p.waitText(".summary-job", "Summary ready")
	p.waitText(".summary-approval", "Not approved yet")
	if n := len(dc.Posted()); n != 0 {
		t.Fatalf("Discord received %d messages before the approval", n)
	}
	p.press("button.approve-summary")
	p.waitText(".summary-approval", "Approved and posted to Discord")
	p.quiet()
	p.shot("summary-approved")
	posted := len(dc.Posted())
	if posted == 0 {
		t.Fatal("Discord received nothing")
	}
	for _, m := range dc.Posted() {
		if m.WebhookID != hookID || len(m.Message.Embeds) == 0 || !strings.Contains(m.Message.Embeds[0].Title, "The Red Fang") {
			t.Errorf("Discord received %+v, want the session's recap through %s", m, hookID)
		}
	}
	sum := c.call("GET", "/sessions/"+session+"/summary", w.gm, nil, 200)
	if sum["approved_at"] == nil {
		t.Errorf("the API shows no approval: %v", sum["approved_at"])
	}
	p.open("#/c/" + w.campaign + "/sessions/" + session + "/summary")
	p.waitText(".summary-approval", "Approved")
	if n := p.eval(`document.querySelectorAll("button.approve-summary").length`); n != float64(0) {
		t.Error("an approved summary still offers Approve")
	}
	if n := len(dc.Posted()); n != posted {
		t.Errorf("Discord received %d messages, want %d: posted again", n, posted)
	}
}
