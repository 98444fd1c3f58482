package web_test

import "net/url"

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
