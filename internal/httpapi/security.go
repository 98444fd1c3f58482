package httpapi

import (
	"net/http"
	"slices"
	"strconv"
)

// apiCSP is the policy of every answer that sets none of its own (the
// docs page, the console and file downloads do): API answers are data,
// never a page to render, frame or run scripts in.
const apiCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// corsMaxAge is how long browsers may keep a preflight answer (seconds).
const corsMaxAge = 600

var (
	corsMethods = "GET, POST, PUT, PATCH, DELETE"
	corsHeaders = "Authorization, Content-Type, If-Match, X-Request-Id"
	// corsExpose are the answer headers clients read.
	corsExpose = "ETag, Location, Retry-After, X-Request-Id"
)

// withSecurityHeaders sets the headers every answer carries, and answers
// cross-origin requests for the origins listed in corsOrigins
// (GMC_CORS_ORIGINS; exact "scheme://host[:port]" values). Other origins
// get no CORS headers, so browsers keep their pages from reading answers;
// a preflight from one is refused. Tokens travel in the Authorization
// header, not in cookies, so credentials are never allowed.
func withSecurityHeaders(corsOrigins []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", apiCSP)
		origin := r.Header.Get("Origin")
		if len(corsOrigins) > 0 {
			h.Add("Vary", "Origin")
		}
		allowed := origin != "" && slices.Contains(corsOrigins, origin)
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !allowed {
				writeProblem(w, newProblem(http.StatusForbidden, "origin_not_allowed", "this server does not answer cross-origin requests from "+strconv.Quote(origin)+"; list it in GMC_CORS_ORIGINS"))
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAge))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", corsExpose)
		}
		next.ServeHTTP(w, r)
	})
}
