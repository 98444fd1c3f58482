package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/transcribe"
)

// DegradedError is what Config.Ready returns when the server still serves
// its API but a shared component does not answer (Redis, for the live
// table). /readyz then answers 200 with status "degraded" and the component:
// every instance shares that component, so a load balancer that took an
// instance out for it would take them all out and turn a degraded live table
// into a full outage. A database that does not answer is 503: nothing works
// without it.
type DegradedError struct {
	Component string
	Err       error
}

func (e *DegradedError) Error() string { return e.Component + ": " + e.Err.Error() }
func (e *DegradedError) Unwrap() error { return e.Err }

// readiness is the body of a /readyz that answers 200.
type readiness struct {
	Status     string         `json:"status"`
	Components map[string]any `json:"components,omitempty"`
}

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
		// Speech that is off is a setting, not a fault: the answer stays
		// ok and says so. The AI mode is a setting too; the model server
		// is not asked here, since a probe must stay cheap and the
		// built-in generators never need it.
		components := map[string]any{"speech": a.speechState(), "ai": a.ai}
		if a.svc != nil {
			components["features"] = a.svc.FeatureStates()
		}
		if a.ready != nil {
			if err := a.ready(ctx); err != nil {
				a.log.WarnContext(ctx, "not ready", "error", err.Error())
				var degraded *DegradedError
				if errors.As(err, &degraded) {
					// The cause names internal addresses; the log has it.
					w.Header().Set("Content-Type", "application/json")
					components[degraded.Component] = "unavailable"
					_ = json.NewEncoder(w).Encode(readiness{Status: "degraded", Components: components})
					return
				}
				writeProblem(w, newProblem(http.StatusServiceUnavailable, "not_ready", err.Error()))
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(readiness{Status: "ok", Components: components})
	}
	for _, prefix := range []string{"", BasePath} {
		mux.HandleFunc("GET "+prefix+"/healthz", healthz)
		mux.HandleFunc("GET "+prefix+"/readyz", readyz)
	}
}

// speechState is "<stt>/<diarization>" when speech runs, else "off: " and
// why (PocketSphinx not installed, GMC_STT=off).
func (a *api) speechState() string {
	if err := a.speech.Ready(); err != nil {
		return "off: " + strings.TrimPrefix(err.Error(), transcribe.ErrOff.Error()+": ")
	}
	stt, dia := a.speech.Providers()
	return stt + "/" + dia
}
