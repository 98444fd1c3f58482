package httpapi

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Every API operation is bounded in size and in time. Its body may be as
// large as the operation declares (MaxBodyBytes: the upload routes declare
// theirs), else Limits.MaxBodyBytes; its work runs under a context deadline
// of its class, so a database query or a call to another server still
// running then is cancelled and the client gets a 504. WebSockets and the
// download streams have no deadline: they last as long as their socket or
// their file; the server's own timeouts (internal/app) bound idle
// connections and slow headers.

// Request classes of the time limits.
const (
	TimeoutRead   = "read"   // GET, HEAD, searches
	TimeoutWrite  = "write"  // every other method, sign-in included
	TimeoutAI     = "ai"     // the generators, which may wait for a language model
	TimeoutUpload = "upload" // bodies past the default limit: plus the time to send them
)

// TimeoutClasses are the classes Limits.Timeouts may set.
var TimeoutClasses = []string{TimeoutRead, TimeoutWrite, TimeoutAI, TimeoutUpload}

// DefaultTimeouts are the time limits of the classes Limits.Timeouts
// leaves unset.
var DefaultTimeouts = map[string]time.Duration{
	TimeoutRead: 15 * time.Second, TimeoutWrite: 30 * time.Second, TimeoutAI: 6 * time.Minute, TimeoutUpload: 30 * time.Second,
}

const (
	// DefaultMaxBodyBytes is huma's own default, which the API has always had.
	DefaultMaxBodyBytes = 1 << 20
	// uploadBytesPerSecond is the slowest upload allowed for: an upload
	// gets its class's time plus its size at this rate (2 Mbit/s, a poor
	// home uplink).
	uploadBytesPerSecond = 256 << 10
	// answerTime is left, past a request's deadline, to write its answer.
	answerTime = 15 * time.Second
)

// Limits bound each request.
type Limits struct {
	// MaxBodyBytes bounds a request body where the operation declares no
	// limit of its own; 0 is DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxRecordingBytes bounds an uploaded session recording; 0 is
	// DefaultMaxRecordingBytes.
	MaxRecordingBytes int64
	// Timeouts are the time limits by class (TimeoutClasses); a class
	// missing takes DefaultTimeouts'.
	Timeouts map[string]time.Duration
	// BodyReadTimeout bounds the time a request body may take to arrive
	// where the operation sets none; 0 is DefaultBodyReadTimeout.
	BodyReadTimeout time.Duration
}

// DefaultBodyReadTimeout is huma's own default.
const DefaultBodyReadTimeout = 5 * time.Second

func (l Limits) withDefaults() Limits {
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if l.MaxRecordingBytes <= 0 {
		l.MaxRecordingBytes = DefaultMaxRecordingBytes
	}
	if l.BodyReadTimeout <= 0 {
		l.BodyReadTimeout = DefaultBodyReadTimeout
	}
	t := make(map[string]time.Duration, len(DefaultTimeouts))
	for class, d := range DefaultTimeouts {
		t[class] = d
		if v := l.Timeouts[class]; v > 0 {
			t[class] = v
		}
	}
	l.Timeouts = t
	return l
}

// noDeadline marks an operation whose answer is a stream as long as its
// file: it runs without a time limit.
func noDeadline(op huma.Operation) huma.Operation {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[metaNoDeadline] = true
	return op
}

const metaNoDeadline = "gmc.no_deadline"

// timeoutClass is op's time-limit class; "" for none.
func (l Limits) timeoutClass(op *huma.Operation) string {
	if op.Metadata[metaNoDeadline] == true {
		return ""
	}
	switch rc := routeClass(*op); {
	case rc == "ai":
		return TimeoutAI
	case op.MaxBodyBytes > l.MaxBodyBytes:
		return TimeoutUpload
	case op.Method == http.MethodGet || op.Method == http.MethodHead || rc == "search":
		return TimeoutRead
	}
	return TimeoutWrite
}

// bodyLimit is what op's body may hold: what it declares, else the
// default.
func (l Limits) bodyLimit(op *huma.Operation) int64 {
	if op.MaxBodyBytes > 0 {
		return op.MaxBodyBytes
	}
	return l.MaxBodyBytes
}

// requestTimeout is the cause of a context that ran out of its request's
// time.
type requestTimeout struct {
	class string
	limit time.Duration
}

func (e *requestTimeout) Error() string {
	return fmt.Sprintf("the request was stopped after %v, the limit of %s requests on this server", e.limit, e.class)
}

// limitRequest applies the operation's limits: a body over its limit is a
// 413 before any of it is read (by its Content-Length) or as soon as it
// passes the limit, and the rest of the request runs under its deadline.
func (a *api) limitRequest(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	r, w := humago.Unwrap(ctx)
	limit := a.limits.bodyLimit(op)
	if r.ContentLength > limit {
		writeProblem(w, a.tooLarge(ctx.Context(), limit))
		return
	}
	if r.Body == nil || r.Body == http.NoBody {
		// All of the request has arrived: the server's read deadline
		// for it, left on the connection, would only cancel a long answer
		// on passing (golang/go#70834).
		_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	class := a.limits.timeoutClass(op)
	d := a.limits.Timeouts[class]
	if class == TimeoutUpload {
		size := r.ContentLength
		if size < 0 {
			size = limit
		}
		d += time.Duration(size/uploadBytesPerSecond) * time.Second
	}
	if isMultipart(r) {
		// huma parses a form without a limit of its own and reports any
		// failure as a bad form: parsed here, a body past the limit is a
		// 413, and what was spooled to disk is removed with the request.
		// The form may take the request's time to arrive, not only the
		// server's read timeout.
		if d > 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		}
		var mbe *http.MaxBytesError
		err := r.ParseMultipartForm(humago.MultipartMaxMemory)
		_ = http.NewResponseController(w).SetReadDeadline(time.Time{}) // as checkBody lifts it
		if errors.As(err, &mbe) {
			writeProblem(w, a.tooLarge(ctx.Context(), limit))
			return
		}
		ctx = formContext{ctx}
	}
	// The server's write timeout bounds an ordinary answer; an upload or
	// a draft may take longer than it, and a download as long as its file.
	switch class {
	case "":
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		next(ctx)
		return
	case TimeoutUpload, TimeoutAI:
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d + answerTime))
	}
	dctx, cancel := context.WithTimeoutCause(ctx.Context(), d, &requestTimeout{class: class, limit: d})
	defer cancel()
	next(huma.WithContext(ctx, dctx))
}

// formContext is a request whose form has been read: huma's deadline for
// reading it would stay on the connection while the handler runs.
type formContext struct{ humaContext }

func (c formContext) SetReadDeadline(time.Time) error { return nil }

// Unwrap lets huma and its adapter reach the request underneath.
func (c formContext) Unwrap() huma.Context { return c.humaContext }

func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

func (a *api) tooLarge(ctx context.Context, limit int64) *Problem {
	return problemFrom(ctx, a.log, gmc.Errorf(gmc.ErrTooLarge, "body_too_large", "the body is larger than the %d bytes this operation accepts", limit))
}

// ranOutOfTime is ErrTimeout when err ended a request whose deadline
// passed, unless err is the client's own (a 4xx answer stands: it is
// what the request would have got in any time).
func ranOutOfTime(ctx context.Context, err error) error {
	var rt *requestTimeout
	if !errors.As(context.Cause(ctx), &rt) {
		return nil
	}
	for _, sc := range statusCodes {
		if errors.Is(err, sc.err) && sc.status < 500 {
			return nil
		}
	}
	return gmc.Errorf(gmc.ErrTimeout, "request_timeout", "%s", rt.Error())
}
