package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/demo"
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
	p.shot("demo-replay")
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
