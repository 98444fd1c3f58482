package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The console's files come with headers that keep injected markup from
// running and the console from being framed.
func TestConsoleHeaders(t *testing.T) {
	c := startConsole(t)
	for _, path := range []string{"/", "/console/app.js", "/console/style.css", "/console/pages/signin.js"} {
		res, err := http.Get(c.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("GET %s = %d", path, res.StatusCode)
		}
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", path)
		}
		if path == "/" && (!strings.Contains(string(body), `src="/console/app.js"`) || strings.Contains(string(body), "<script>")) {
			t.Errorf("GET /: shell is %s", body)
		}
		etag := res.Header.Get("ETag")
		if path != "/" {
			req, _ := http.NewRequest("GET", c.srv.URL+path, nil)
			req.Header.Set("If-None-Match", etag)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if etag == "" || res.StatusCode != http.StatusNotModified {
				t.Errorf("GET %s with its ETag %q = %d, want 304", path, etag, res.StatusCode)
			}
		}
	}
	for path, want := range map[string]int{"/console/nope.js": 404, "/console/../web.go": 404, "/elsewhere": 404} {
		res, err := http.Get(c.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, res.StatusCode, want)
		}
	}
	res, err := http.Post(c.srv.URL+"/", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", res.StatusCode)
	}
}

// A newcomer registers, lands on an empty campaign list, creates a
// campaign and signs out and in again; a reload keeps them signed in.
func TestConsoleSignIn(t *testing.T) {
	c := startConsole(t)
	p := c.browser(t)
	p.open("")
	p.visible("#signin-title") // not signed in: sent to sign in
	p.shot("signin")
	p.click(`a[href="#/register"]`)
	p.typeIn(`input[name="display_name"]`, "Mira")
	p.typeIn(`input[name="email"]`, "mira@example.com")
	p.typeIn(`input[name="password"]`, "short")
	p.click(`form button[type="submit"]`)
	// The browser's own check stops a short password before the API does.
	if valid := p.eval(`document.querySelector('input[name="password"]').checkValidity()`); valid != false {
		t.Fatal("a 5-character password passed the form's check")
	}
	p.setValue(`input[name="password"]`, password)
	p.click(`form button[type="submit"]`)
	p.waitText("main", "No campaigns yet")
	p.typeIn(`form input[name="name"]`, "The Sunless Citadel")
	p.click(`form button[type="submit"]`)
	p.waitText("main h1", "The Sunless Citadel")
	p.reload()
	p.waitText("main h1", "The Sunless Citadel")
	p.clickText("Sign out")
	p.visible("#signin-title")
	p.signIn("mira@example.com")
	p.waitText("main", "The Sunless Citadel")
	p.shot("campaigns")

	// A wrong password is answered on the page; a second user in another
	// browser context is not signed in by the first one's storage.
	q := p.tab()
	q.open("#/signin")
	q.typeIn(`input[name="email"]`, "mira@example.com")
	q.typeIn(`input[name="password"]`, "not the password")
	q.click(`form button[type="submit"]`)
	q.visible(".form-error")
	if h := q.eval("location.hash"); h != "#/signin" {
		t.Errorf("after a wrong password the page moved to %v", h)
	}
	if msg := q.text(".form-error"); msg == "" {
		t.Error("a wrong password shows no message")
	}
}

// An invite link asks the signed-in user to join, and joining opens the
// campaign; a link opened before signing in comes back after it.
func TestConsoleInvite(t *testing.T) {
	c := startConsole(t)
	_, gm := c.signUp("gm@example.com")
	c.signUp("player@example.com")
	campaign := c.call("POST", "/campaigns", gm, map[string]any{"name": "Curse of Strahd"}, 201)["id"].(string)
	code := c.call("POST", "/campaigns/"+campaign+"/invites", gm, map[string]any{"role": "player"}, 201)["code"].(string)

	p := c.browser(t)
	p.open("#/invite/" + code)
	p.visible("#signin-title")
	p.typeIn(`input[name="email"]`, "player@example.com")
	p.typeIn(`input[name="password"]`, password)
	p.click(`form button[type="submit"]`)
	p.clickText("Join")
	p.waitText("main h1", "Curse of Strahd")
	p.gone("#signin-title")
	if members := c.call("GET", "/campaigns/"+campaign+"/members", gm, nil, 200)["items"].([]any); len(members) != 2 {
		t.Errorf("after joining, the campaign has %d members, want 2", len(members))
	}
}
