package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/gmc-project/gmc/internal/demo"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/testenv"
)

// A newcomer's first evening: the demo campaign's live session, the SRD
// imported, and the demo table replayed fast through the segments API:
// lines appear with the party's names, and so do spell, monster and
// condition cards.
func TestConsoleDemoReplay(t *testing.T) {
	c := startConsole(t)
	ctx := context.Background()
	if _, err := c.app.Service().ImportReference(ctx, testenv.SRDDir(t)); err != nil {
		t.Fatal(err)
	}
	res, err := demo.Create(ctx, c.app.Service(), demo.DefaultEmail, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := c.browser(t)
	errs := p.watchErrors()
	p.open("#/signin")
	p.typeIn(`input[name="email"]`, res.Email)
	p.typeIn(`input[name="password"]`, res.Password)
	p.click(`form button[type="submit"]`)
	p.waitText("main h1", "Your campaigns")
	p.open("#/c/" + res.Campaign.ID + "/sessions/" + res.Session.ID)
	p.visible(".consent-dialog")
	p.clickText("Yes, process my voice")
	p.gone(".consent-dialog")
	p.waitText(".live-status", "Connected as Demo GM")
	p.setValue(`select[name="speed"]`, "16")
	p.clickText("Replay the demo table")
	p.waitJS(`document.querySelectorAll(".transcript .seg").length >= 3`)
	for _, kind := range []string{"spell", "monster", "condition"} {
		p.waitJS(`!!document.querySelector(".kw-card.kw-` + kind + ` .kw-summary")`)
	}
	// The script's labels are the party's names (gmc demo maps them).
	p.waitJS(`[...document.querySelectorAll(".seg-speaker")].some(e => e.textContent === "Wren Ashdown")`)
	p.waitText(".kw-cards", "Ghoul")
	// The script moves the scene and the initiative on, for everyone.
	p.waitText(".scene-text", "Saltmere Light at dusk")
	p.waitText(".initiative", "Ghoul 2")
	p.shot("demo-replay")
	p.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	}))
	p.shot("demo-replay-dark")
	p.clickText("Stop the replay")
	p.waitText(".replay", "Stopped after")
	shown := p.eval(`document.querySelectorAll(".transcript .seg").length`).(float64)
	if shown < 10 || shown >= 50 {
		t.Errorf("the stopped replay shows %v lines, want some but not all 50", shown)
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("the page logged errors: %q", e)
	}
}

// The demo table's script, as the console serves it, is spoken by the
// demo's GM and party (the labels gmc demo maps), in order, and talks
// about the demo campaign's people and places.
func TestConsoleDemoScript(t *testing.T) {
	c := startConsole(t)
	res, err := http.Get(c.srv.URL + "/console/demo/script.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET script.json = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var script struct {
		Lines []struct {
			AtMS    int64  `json:"at_ms"`
			Speaker string `json:"speaker"`
			Text    string `json:"text"`
		} `json:"lines"`
	}
	if err := json.NewDecoder(res.Body).Decode(&script); err != nil {
		t.Fatal(err)
	}
	if n := len(script.Lines); n < 40 || n > 60 {
		t.Errorf("the script has %d lines, want 40 to 60", n)
	}
	var all strings.Builder
	speakers := map[string]int{}
	for i, l := range script.Lines {
		if _, ok := demo.TableSpeakers[l.Speaker]; !ok && l.Speaker != demo.GMLabel {
			t.Errorf("line %d: speaker %q is not one gmc demo maps", i, l.Speaker)
		}
		if i > 0 && l.AtMS <= script.Lines[i-1].AtMS {
			t.Errorf("line %d: at_ms %d does not follow %d", i, l.AtMS, script.Lines[i-1].AtMS)
		}
		if strings.TrimSpace(l.Text) == "" {
			t.Errorf("line %d is empty", i)
		}
		speakers[l.Speaker]++
		all.WriteString(l.Text + "\n")
	}
	if len(speakers) != len(demo.TableSpeakers)+1 {
		t.Errorf("speakers %v: want the GM and all of %v", speakers, demo.TableSpeakers)
	}
	if last := script.Lines[len(script.Lines)-1].AtMS; last < 2*60_000 || last > 10*60_000 {
		t.Errorf("the script lasts %d ms, want a few minutes", last)
	}
	b := demo.Campaign(time.Now())
	named := 0
	for _, ch := range b.Characters {
		if ch.CharacterType == gmc.CharacterNPC && strings.Contains(all.String(), ch.Name) {
			named++
		}
	}
	for _, l := range b.Locations {
		if strings.Contains(all.String(), l.Name) {
			named++
		}
	}
	if named < 6 {
		t.Errorf("the script names %d of the demo's NPCs and places, want at least 6", named)
	}
}
