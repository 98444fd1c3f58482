package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/config"
)

// upgrade asks for the session's socket with a plain HTTP request carrying
// the handshake headers; refusals come back before any upgrade, so their
// status, headers and body can be read as any other answer.
func (in *instance) upgrade(sessionID, ticket, token, origin string) (*http.Response, map[string]any) {
	in.t.Helper()
	u := in.base + "/sessions/" + sessionID + "/ws"
	if ticket != "" {
		u += "?ticket=" + ticket
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		in.t.Fatal(err)
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusSwitchingProtocols {
		return res, nil // closing the body hangs up the socket
	}
	raw, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		in.t.Errorf("refusal HTTP %d has Content-Type %q, body %q; want application/problem+json", res.StatusCode, ct, raw)
	}
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return res, body
}

// TestLiveRefusals: a socket that may not open is refused before the
// upgrade with a problem, and a foreign page cannot spend a ticket.
func TestLiveRefusals(t *testing.T) {
	t.Parallel()
	in := startInstance(t, config.Config{AllowedOrigins: []string{"app.example.com"}})
	tb := setUpTable(t, in)

	t.Run("foreign origin keeps the ticket", func(t *testing.T) {
		ticket := in.call("POST", "/sessions/"+tb.sessionID+"/ws-ticket", tb.obs, nil, 201)["ticket"].(string)
		for _, origin := range []string{"http://evil.example", "null"} {
			res, body := in.upgrade(tb.sessionID, ticket, "", origin)
			if res.StatusCode != http.StatusForbidden || body["code"] != "origin_not_allowed" {
				t.Errorf("Origin %s: HTTP %d %v, want 403 origin_not_allowed", origin, res.StatusCode, body)
			}
		}
		in.mustDial("observer", tb.sessionID, "ticket:"+ticket)
	})

	t.Run("allowed origin", func(t *testing.T) {
		ticket := in.call("POST", "/sessions/"+tb.sessionID+"/ws-ticket", tb.p2, nil, 201)["ticket"].(string)
		if res, body := in.upgrade(tb.sessionID, ticket, "", "https://app.example.com"); res.StatusCode != http.StatusSwitchingProtocols {
			t.Errorf("allowed Origin: HTTP %d %v, want 101", res.StatusCode, body)
		}
	})

	t.Run("too many sockets at once", func(t *testing.T) {
		for range 8 {
			in.mustDial("gm", tb.sessionID, tb.gm)
		}
		res, body := in.upgrade(tb.sessionID, "", tb.gm, "")
		if res.StatusCode != http.StatusTooManyRequests || body["code"] != "too_many_sockets" || res.Header.Get("Retry-After") == "" {
			t.Errorf("9th socket: HTTP %d Retry-After %q %v, want 429 too_many_sockets with Retry-After", res.StatusCode, res.Header.Get("Retry-After"), body)
		}
	})

	t.Run("sockets opened too often", func(t *testing.T) {
		opens := 0
		for range 60 {
			res, body := in.upgrade(tb.sessionID, "", tb.p1, "")
			if res.StatusCode == http.StatusSwitchingProtocols {
				opens++
				continue // the plain request cannot speak WebSocket; the server closes it
			}
			if body["code"] == "too_many_sockets" {
				time.Sleep(20 * time.Millisecond) // earlier sockets are still closing
				continue
			}
			secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
			if res.StatusCode != http.StatusTooManyRequests || body["code"] != "too_many_socket_opens" || err != nil || secs < 1 {
				t.Fatalf("after %d opens: HTTP %d Retry-After %q %v, want 429 too_many_socket_opens", opens, res.StatusCode, res.Header.Get("Retry-After"), body)
			}
			if opens < 10 {
				t.Errorf("refused after %d opens, want at least 10", opens)
			}
			return
		}
		t.Errorf("%d opens in a row were all upgraded", opens)
	})
}
