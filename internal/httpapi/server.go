// Package httpapi is gmc's HTTP adapter: routes, request and response
// types, authentication of requests and problem+json errors. Handlers
// decode, call one service method and encode; rules live in service.
//
// Type names follow one scheme: an operation's request is an unexported
// xInput (its path, query and header fields and its Body), its answer an
// exported XOutput, and a named JSON request body an xBody. A request
// type embedded in another (XPath, PageInput, LocationBody, HistoryBody)
// is exported, because huma skips the fields of unexported embedded
// structs.
package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"go.opentelemetry.io/otel/trace"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/transcribe"
)

// BasePath prefixes every API route.
const BasePath = "/api/v1"

// Config is what the HTTP layer needs.
type Config struct {
	Service *service.Service
	Logger  *slog.Logger
	// Ready reports whether the server's dependencies answer (for /readyz).
	Ready func(ctx context.Context) error
	// Version is reported by the OpenAPI document.
	Version string
	// Live serves the live-table WebSockets; nil answers them with 503.
	Live LiveServer
	// Speech transcribes audio sockets and recordings; nil or one without
	// a recogniser answers them with 503.
	Speech *transcribe.Engine
	// AllowedOrigins are extra host patterns (e.g. "app.example.com") whose
	// pages may open WebSockets; the server's own origin always may.
	AllowedOrigins []string
	// TrustedProxies are the reverse proxies whose forwarding headers name
	// the client address; the rate limits count per client address.
	TrustedProxies []netip.Prefix
	// Console serves the browser console at / and its files under
	// /console/; nil serves none.
	Console http.Handler
	// AI is what /readyz says of the generators; its zero value is the
	// built-in mode.
	AI AIStatus
	// Metrics counts requests by route; nil counts nothing. With
	// MetricsOnMain it is also served at GET /metrics.
	Metrics       *metrics.Metrics
	MetricsOnMain bool
	// Tracer starts a span per request; nil traces nothing.
	Tracer trace.TracerProvider
	// CORSOrigins are the origins ("https://app.example.com") whose pages
	// may call the API from the browser.
	CORSOrigins []string
	// Limits bound each request's body and time; the zero value has the
	// defaults.
	Limits Limits
}

// AIStatus says how drafts are made: mode "builtin" (procedural, no
// network) or "llm" with the model named.
type AIStatus struct {
	Mode  string `json:"mode"`
	Model string `json:"model,omitempty"`
	// Embeddings is the embedding model of semantic search and AI
	// context, or "off".
	Embeddings string `json:"embeddings"`
}

// api holds what handlers need; handlers are its methods.
type api struct {
	svc            *service.Service
	log            *slog.Logger
	ready          func(ctx context.Context) error
	live           LiveServer
	speech         *transcribe.Engine
	ai             AIStatus
	allowedOrigins []string
	limits         Limits
}

// New returns the HTTP handler of the whole server.
func New(cfg Config) http.Handler {
	useProblemErrors()
	a := &api{svc: cfg.Service, log: cfg.Logger, ready: cfg.Ready, live: cfg.Live, speech: cfg.Speech, ai: cfg.AI, allowedOrigins: cfg.AllowedOrigins, limits: cfg.Limits.withDefaults()}
	if a.ai.Mode == "" {
		a.ai.Mode = "builtin"
	}
	if a.ai.Embeddings == "" {
		a.ai.Embeddings = "off"
	}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	mux := http.NewServeMux()
	hc := huma.DefaultConfig("GameMaster's Companion API", cfg.Version)
	hc.OpenAPIPath = BasePath + "/openapi"
	// huma's docs page loads its script from a public CDN; ours serves an
	// embedded copy (docs.go), so the docs work offline.
	hc.DocsPath = ""
	hc.SchemasPath = BasePath + "/schemas"
	// The default hooks add "$schema" to every response body; our clients
	// get plain objects.
	hc.CreateHooks = nil
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT"},
	}
	h := humago.New(mux, hc)
	h.UseMiddleware(a.limitRequest, checkInput)
	a.routes(h)
	a.liveRoutes(h, mux)
	a.audioRoutes(h, mux)
	a.fileRoutes(h)
	describeAPI(h.OpenAPI())
	docsRoutes(mux)
	mux.HandleFunc("GET "+BasePath+"/asyncapi.json", serveAsyncAPI(cfg.Version))
	a.healthRoutes(mux)
	if cfg.MetricsOnMain && cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics.Handler())
	}
	if cfg.Console != nil {
		mux.Handle("GET /{$}", cfg.Console)
		mux.Handle("GET /console/", cfg.Console)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allowed := allowedMethods(mux, r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeProblem(w, newProblem(http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here; use "+strings.Join(allowed, ", ")))
			return
		}
		writeProblem(w, newProblem(http.StatusNotFound, "not_found", "no such route"))
	})
	return observe(cfg.Metrics, cfg.Tracer, withRequestInfo(a.log, cfg.TrustedProxies, withSecurityHeaders(cfg.CORSOrigins, notePattern(mux))))
}

// allowedMethods lists the methods the routes serve r's path with. The
// catch-all route matches every method of every path, which hides the 405
// ServeMux would give, so it does not count.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if _, pattern := mux.Handler(&http.Request{Method: m, URL: r.URL, Host: r.Host}); pattern != "/" && pattern != "" {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

// register adds an operation whose errors become problem documents.
func register[I, O any](h huma.API, op huma.Operation, handler func(context.Context, *I) (*O, error), a *api) {
	if op.Security == nil && !op.Hidden {
		op.Security = []map[string][]string{{"bearer": {}}}
	}
	// An operation that declares no body limit has the server's default.
	op.MaxBodyBytes = a.limits.bodyLimit(&op)
	if op.BodyReadTimeout == 0 {
		op.BodyReadTimeout = a.limits.BodyReadTimeout
	}
	class := routeClass(op)
	huma.Register(h, op, func(ctx context.Context, in *I) (*O, error) {
		if class == "auth" {
			if err := a.allowRequest(ctx, class, ""); err != nil {
				return nil, problemFrom(ctx, a.log, err)
			}
		}
		out, err := handler(ctx, in)
		if err != nil {
			return nil, problemFrom(ctx, a.log, err)
		}
		return out, nil
	})
}

// authed registers an operation for signed-in callers: the handler gets
// the caller's user id, and a missing, expired or revoked token is a 401
// before it runs.
func authed[I, O any](h huma.API, op huma.Operation, handler func(ctx context.Context, uid string, in *I) (*O, error), a *api) {
	class := routeClass(op)
	register(h, op, func(ctx context.Context, in *I) (*O, error) {
		uid, err := a.user(ctx)
		if err != nil {
			return nil, err
		}
		if err := a.allowRequest(ctx, class, uid); err != nil {
			return nil, err
		}
		return handler(ctx, uid, in)
	}, a)
}

// public marks an operation that needs no token.
func public(op huma.Operation) huma.Operation {
	op.Security = []map[string][]string{}
	return op
}

func withStatus(op huma.Operation, status int) huma.Operation {
	op.DefaultStatus = status
	return op
}

// bigBodyBytes admits bodies that carry several JSON documents of up to
// 256 KiB each (a character's stats, notes and gm_notes; a location's
// metadata and coordinates) with their other fields, which huma's default
// 1 MiB limit would refuse.
const bigBodyBytes = 2 << 20

// bigBody raises an operation's body limit to bigBodyBytes, or keeps the
// server's default when that is more.
func (a *api) bigBody(op huma.Operation) huma.Operation {
	op.MaxBodyBytes = max(bigBodyBytes, a.limits.MaxBodyBytes)
	return op
}

// audioDownload describes an operation that answers with a recording's bytes, in
// whatever audio type it was uploaded as; huma sees only a stream.
func audioDownload(op huma.Operation) huma.Operation {
	op = noDeadline(op)
	op.Responses = map[string]*huma.Response{"200": {
		Description: "The audio as it was uploaded, with its content type",
		Content:     map[string]*huma.MediaType{"audio/*": {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}},
	}}
	return op
}

func operation(method, path, id, summary, tag string) huma.Operation {
	op := huma.Operation{Method: method, Path: BasePath + path, OperationID: id, Summary: summary, Tags: []string{tag}}
	switch method {
	case http.MethodPost:
		op.DefaultStatus = http.StatusCreated
	case http.MethodDelete:
		op.DefaultStatus = http.StatusNoContent
	}
	return op
}

// user returns the authenticated caller's id or an ErrUnauthenticated.
func (a *api) user(ctx context.Context) (string, error) {
	ri := info(ctx)
	if ri.userID != "" {
		return ri.userID, nil
	}
	if ri.bearer == "" {
		return "", gmc.Errorf(gmc.ErrUnauthenticated, "missing_token", "send an access token in the Authorization header: Bearer <token>")
	}
	id, err := a.svc.Authenticate(ctx, ri.bearer)
	if err != nil {
		return "", err
	}
	ri.userID = id
	return id, nil
}

func writeProblem(w http.ResponseWriter, p *Problem) {
	for k, v := range p.headers {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	body := `{"type":"about:blank","title":` + strconv.Quote(p.Title) + `,"status":` + strconv.Itoa(p.Status) + `,"detail":` + strconv.Quote(p.Detail) + `,"code":` + strconv.Quote(p.Code)
	if p.Budget != "" && p.ResetsAt != nil {
		body += `,"budget":` + strconv.Quote(string(p.Budget)) + `,"resets_at":` + strconv.Quote(p.ResetsAt.UTC().Format(time.RFC3339))
	}
	_, _ = io.WriteString(w, body+`}`)
}

// ifMatch reads an If-Match version: `"3"`, `W/"3"` or `3`; empty is 0.
func ifMatch(h string) (int64, error) {
	h = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(h), "W/"))
	if h == "" || h == "*" {
		return 0, nil
	}
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v < 1 {
		return 0, gmc.Invalid("header.If-Match", "must be an entity version such as \"3\"")
	}
	return v, nil
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// ListOutput is the shape of every list answer.
type ListOutput[T any] struct {
	Body struct {
		Items      []T    `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
}

func list[T any](items []T, next string) *ListOutput[T] {
	out := &ListOutput[T]{}
	out.Body.Items = items
	if out.Body.Items == nil {
		out.Body.Items = []T{}
	}
	out.Body.NextCursor = next
	return out
}

// PageInput is the paging query of every list.
type PageInput struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size"`
	Cursor string `query:"cursor" format:"uuid" doc:"next_cursor of the previous page"`
}

func (p PageInput) page() gmc.Page { return gmc.Page{Limit: p.Limit, Cursor: p.Cursor} }
