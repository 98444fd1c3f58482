package web_test

import (
	"context"
	"net/url"
	"sync"

	"github.com/chromedp/chromedp"
)

// A GM's campaign for the world pages' tests: the GM's email and token and
// the campaign's id.
type gmCampaign struct {
	email, token, id string
}

func (c *console) gmCampaign(email, name string) gmCampaign {
	c.t.Helper()
	_, tok := c.signUp(email)
	id := c.call("POST", "/campaigns", tok, map[string]any{"name": name, "game_system": "D&D 5e (SRD 5.1)"}, 201)["id"].(string)
	return gmCampaign{email: email, token: tok, id: id}
}

// create posts body to path and returns the new entity's id.
func (c *console) create(g gmCampaign, path string, body map[string]any) string {
	c.t.Helper()
	return c.call("POST", path, g.token, body, 201)["id"].(string)
}

// location creates a location below parent ("" for a root).
func (c *console) location(g gmCampaign, parent, name, kind, description string) string {
	c.t.Helper()
	body := map[string]any{"name": name, "location_type": kind, "description": description, "visibility": "players"}
	if parent != "" {
		body["parent_id"] = parent
	}
	return c.create(g, "/campaigns/"+g.id+"/locations", body)
}

func q(s string) string { return url.QueryEscape(s) }

// calmShot takes the screenshots once the toasts of the steps before are
// gone, so that they do not cover the page.
func (p *page) calmShot(name string) {
	p.t.Helper()
	p.eval(`document.querySelectorAll("#toasts .toast").forEach(t => t.remove()), true`)
	p.shot(name)
}

// failOnScriptErrors fails the test, at its end, for every uncaught
// exception and console.error of the tab: a flow may complete on the
// screen while a handler beside it threw. Failed requests the page
// answered itself (a 409 shown in a form) are the network's log, not
// script errors.
func (p *page) failOnScriptErrors() *page {
	p.t.Helper()
	ctx, cancel := context.WithCancel(p.ctx)
	msgs := chromedp.Console(ctx)
	var mu sync.Mutex
	var errs []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.IsException() || (m.Type == chromedp.ConsoleError && m.Source != "network") {
				mu.Lock()
				errs = append(errs, m.String()+" at "+m.URL)
				mu.Unlock()
			}
		}
	}()
	p.t.Cleanup(func() {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, e := range errs {
			p.t.Errorf("browser console: %s", e)
		}
	})
	return p
}

// join makes email a player of g's campaign and returns their token.
func (c *console) join(g gmCampaign, email string) string {
	c.t.Helper()
	_, tok := c.signUp(email)
	code := c.call("POST", "/campaigns/"+g.id+"/invites", g.token, map[string]any{"role": "player"}, 201)["code"].(string)
	c.call("POST", "/invites/"+code+"/accept", tok, nil, 200)
	return tok
}

// press clicks the element matching css from script, as keyboard users
// do: a toast in the corner may cover it for a moment, which would
// swallow a mouse click at its coordinates.
func (p *page) press(css string) {
	p.t.Helper()
	p.visible(css)
	p.eval(`document.querySelector(` + jsString(css) + `).click(), true`)
}
