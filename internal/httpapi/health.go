package httpapi

import (
	"context"
	"net/http"
	"time"
)

// healthRoutes are plain handlers: probes need no auth, no schema and must
// stay cheap.
func (a *api) healthRoutes(mux *http.ServeMux) {
	healthz := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}
	readyz := func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if a.ready != nil {
			if err := a.ready(ctx); err != nil {
				a.log.WarnContext(ctx, "not ready", "error", err.Error())
				writeProblem(w, newProblem(http.StatusServiceUnavailable, "not_ready", err.Error()))
				return
			}
		}
		healthz(w, r)
	}
	for _, prefix := range []string{"", BasePath} {
		mux.HandleFunc("GET "+prefix+"/healthz", healthz)
		mux.HandleFunc("GET "+prefix+"/readyz", readyz)
	}
}
