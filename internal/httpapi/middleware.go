package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/service"
)

type ctxKey int

const requestInfoKey ctxKey = iota

// requestInfo travels with a request so that the access log can name what
// inner layers learned (the authenticated user) and handlers can read the
// request id and client address.
type requestInfo struct {
	id       string
	clientIP string
	bearer   string
	userID   string
}

func info(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(requestInfoKey).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

func requestID(ctx context.Context) string { return info(ctx).id }

// statusRecorder remembers the status written, for the access log and
// the request metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (WebSockets).
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withRequestInfo accepts or makes an X-Request-Id, echoes it, and writes
// one access-log line per request.
// The client address is the peer's, or what trusted proxies say it is.
func withRequestInfo(log *slog.Logger, trustedProxies []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{id: r.Header.Get("X-Request-Id"), clientIP: clientAddr(r, trustedProxies)}
		if ri.id == "" || len(ri.id) > 128 {
			ri.id = newRequestID()
		}
		if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			ri.bearer = strings.TrimSpace(h[7:])
		}
		w.Header().Set("X-Request-Id", ri.id)
		rec := &statusRecorder{ResponseWriter: w}
		// A request reads its own writes: once it wrote, its reads leave
		// a read replica for the primary.
		r = r.WithContext(service.TrackWrites(context.WithValue(r.Context(), requestInfoKey, ri)))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "request_id", ri.id, "panic", v)
				if rec.status == 0 {
					http.Error(rec, `{"title":"Internal Server Error","status":500,"code":"internal"}`, http.StatusInternalServerError)
				}
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", ri.id),
				slog.String("method", r.Method),
				slog.String("route", routeOf(r)),
				slog.Int("status", rec.status),
				slog.Duration("duration", time.Since(start)),
				slog.String("user_id", ri.userID),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// routeOf is the matched route pattern; the mux records it on the request.
// Unmatched requests log their method only, never a raw attacker-chosen path.
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return "unmatched"
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
