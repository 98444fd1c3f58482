package httpapi

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/tracing"
)

// routeNote carries the matched route pattern out of the mux: the mux sets
// Pattern on the request it was given, which is a copy of the one observe
// holds (withRequestInfo adds to the context between them). refusal is the
// problem code of an answer that refused the request for a limit or a
// switch (see refusalCodes).
type routeNote struct{ pattern, refusal string }

// refusalCodes are the problem codes counted in gmc_http_refusals_total.
var refusalCodes = map[string]bool{"rate_limited": true, "quota_exceeded": true, "feature_disabled": true}

// noteRefusal tells observe that the request was refused with code, when
// code is one of refusalCodes.
func noteRefusal(ctx context.Context, code string) {
	if !refusalCodes[code] {
		return
	}
	if n, ok := ctx.Value(routeNoteKey{}).(*routeNote); ok {
		n.refusal = code
	}
}

type routeNoteKey struct{}

// notePattern sits right outside the mux and tells observe the route.
func notePattern(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if n, ok := r.Context().Value(routeNoteKey{}).(*routeNote); ok {
			n.pattern = r.Pattern
		}
	})
}

// observe counts each request and times it by route pattern (never the raw
// path, which would give a series per id) and, with tracing on, answers it
// inside a span named after the route, which the access log and every
// inner span hang from. It is outermost, so the access log line carries the
// span's trace id.
func observe(m *metrics.Metrics, tp trace.TracerProvider, next http.Handler) http.Handler {
	if m == nil && tp == nil {
		return next
	}
	var tracer trace.Tracer
	if tp != nil {
		tracer = tp.Tracer(tracing.Scope)
	}
	prop := propagation.TraceContext{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		done := m.HTTPStarted()
		note := &routeNote{}
		ctx := context.WithValue(r.Context(), routeNoteKey{}, note)
		var span trace.Span
		if tracer != nil {
			// A caller that sends traceparent gets our spans in its trace.
			ctx = prop.Extract(ctx, propagation.HeaderCarrier(r.Header))
			ctx, span = tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.String("http.request.method", r.Method)))
		}
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			route := note.pattern
			if route == "" {
				route = "unmatched"
			}
			status := rec.status
			if status == 0 {
				// Nothing written: net/http answers 200 (a handler that
				// aborted the connection on purpose counts the same).
				status = http.StatusOK
			}
			done()
			m.HTTPRequest(r.Method, route, status, time.Since(start))
			if note.refusal != "" {
				m.HTTPRefused(route, note.refusal)
			}
			if span != nil {
				span.SetName(route)
				span.SetAttributes(attribute.String("http.route", route), attribute.Int("http.response.status_code", status))
				if status >= 500 {
					span.SetStatus(codes.Error, http.StatusText(status))
				}
				span.End()
			}
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}
