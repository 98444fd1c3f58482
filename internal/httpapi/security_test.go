package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/httpapi"
)

// TestSecurityHeaders checks the headers on answers of every kind: API
// data, an error, the docs page (its own policy) and the OpenAPI document.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Version: "test"}))
	t.Cleanup(srv.Close)
	for _, path := range []string{"/api/v1/openapi.json", "/api/v1/campaigns", "/api/v1/nope", "/api/v1/docs", "/healthz"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h := res.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("GET %s: nosniff %q, frame options %q, referrer policy %q", path, h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"), h.Get("Referrer-Policy"))
		}
		if csp := h.Values("Content-Security-Policy"); len(csp) != 1 || !strings.Contains(csp[0], "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q, want one policy with frame-ancestors 'none'", path, csp)
		}
		if path == "/api/v1/docs" && !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("the docs page has the API's policy, not its own: %q", h.Get("Content-Security-Policy"))
		}
	}
}

// TestCORS sends preflights and requests from a listed and an unlisted
// origin.
func TestCORS(t *testing.T) {
	t.Parallel()
	const good, evil = "https://app.example.com", "https://evil.example"
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Version: "test", CORSOrigins: []string{good}}))
	t.Cleanup(srv.Close)
	send := func(method, origin string, hdr ...string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+"/api/v1/campaigns", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for _, tc := range []struct {
		name       string
		method     string
		origin     string
		hdr        []string
		status     int
		allow      string
		preflight  bool
		varyOrigin bool
	}{
		{"preflight, listed origin", "OPTIONS", good, []string{"Access-Control-Request-Method", "PATCH", "Access-Control-Request-Headers", "authorization,content-type,if-match"}, 204, good, true, true},
		{"preflight, other origin", "OPTIONS", evil, []string{"Access-Control-Request-Method", "DELETE"}, 403, "", false, true},
		{"request, listed origin", "GET", good, nil, 401, good, false, true},
		{"request, other origin", "GET", evil, nil, 401, "", false, true},
		{"same-origin request", "GET", "", nil, 401, "", false, true},
		{"plain OPTIONS is no preflight", "OPTIONS", good, nil, 405, good, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := send(tc.method, tc.origin, tc.hdr...)
			if res.StatusCode != tc.status {
				t.Errorf("status %d, want %d", res.StatusCode, tc.status)
			}
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != tc.allow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.allow)
			}
			if res.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
			methods := res.Header.Get("Access-Control-Allow-Methods")
			if tc.preflight != strings.Contains(methods, "PATCH") || tc.preflight != strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "If-Match") {
				t.Errorf("preflight headers: methods %q, headers %q", methods, res.Header.Get("Access-Control-Allow-Headers"))
			}
			if tc.allow != "" && !tc.preflight && !strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "ETag") {
				t.Errorf("ETag not exposed: %q", res.Header.Get("Access-Control-Expose-Headers"))
			}
			if vary := strings.Join(res.Header.Values("Vary"), ","); tc.varyOrigin != strings.Contains(vary, "Origin") {
				t.Errorf("Vary %q", vary)
			}
		})
	}
}
