package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Problem is an RFC 9457 problem document, the body of every error answer.
type Problem struct {
	Type    string          `json:"type"`
	Title   string          `json:"title"`
	Status  int             `json:"status"`
	Detail  string          `json:"detail,omitempty"`
	Code    string          `json:"code"`
	Errors  []ProblemDetail `json:"errors,omitempty"`
	headers http.Header
}

// ProblemDetail names one bad field.
type ProblemDetail struct {
	Location string `json:"location,omitempty"`
	Message  string `json:"message"`
	Value    any    `json:"value,omitempty"`
}

func (p *Problem) Error() string { return p.Detail }

// GetStatus is huma's StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// GetHeaders is huma's HeadersError.
func (p *Problem) GetHeaders() http.Header { return p.headers }

// ContentType makes huma answer with application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// statusCodes maps each domain sentinel to its HTTP status and default code.
var statusCodes = []struct {
	err    error
	status int
	code   string
}{
	{gmc.ErrInvalid, http.StatusUnprocessableEntity, "invalid"},
	{gmc.ErrNotFound, http.StatusNotFound, "not_found"},
	{gmc.ErrConflict, http.StatusConflict, "conflict"},
	{gmc.ErrForbidden, http.StatusForbidden, "forbidden"},
	{gmc.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{gmc.ErrRateLimited, http.StatusTooManyRequests, "rate_limited"},
}

func newProblem(status int, code, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Code: code}
}

// problemFrom turns any error a service returns into a Problem. Anything
// that is not a domain error is a 500 whose detail stays in the log.
func problemFrom(ctx context.Context, log *slog.Logger, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	for _, sc := range statusCodes {
		if !errors.Is(err, sc.err) {
			continue
		}
		p = newProblem(sc.status, sc.code, err.Error())
		var de *gmc.Error
		if errors.As(err, &de) {
			p.Code, p.Detail = de.Code, de.Message
		}
		var ve *gmc.ValidationError
		if errors.As(err, &ve) {
			p.Detail = "the request has invalid fields"
			for _, f := range ve.Fields {
				p.Errors = append(p.Errors, ProblemDetail{Location: f.Location, Message: f.Message})
			}
		}
		var rl *gmc.RateLimitError
		if errors.As(err, &rl) {
			p.headers = http.Header{"Retry-After": {strconv.Itoa(rl.RetryAfterSeconds)}}
		}
		return p
	}
	log.ErrorContext(ctx, "internal error", "error", err.Error(), "request_id", requestID(ctx))
	return newProblem(http.StatusInternalServerError, "internal", "internal error; see the server log for request "+requestID(ctx))
}

var installErrorModel sync.Once

// useProblemErrors makes huma's own errors (malformed JSON, schema
// validation, body too large) Problems too. huma offers only a package
// variable for this, so it is set once per process; the function it
// installs is pure.
func useProblemErrors() {
	installErrorModel.Do(func() {
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			p := newProblem(status, codeForStatus(status), msg)
			for _, e := range errs {
				if e == nil {
					continue
				}
				var d huma.ErrorDetailer
				if errors.As(e, &d) {
					ed := d.ErrorDetail()
					p.Errors = append(p.Errors, ProblemDetail{Location: missingFieldLocation(ed.Location, ed.Message), Message: ed.Message, Value: ed.Value})
				} else {
					p.Errors = append(p.Errors, ProblemDetail{Message: e.Error()})
				}
			}
			return p
		}
	})
}

// missingFieldLocation names the missing field itself: huma reports a
// missing required property at its parent object ("body").
func missingFieldLocation(location, message string) string {
	const prefix, suffix = "expected required property ", " to be present"
	if name, ok := strings.CutPrefix(message, prefix); ok && strings.HasSuffix(name, suffix) {
		return location + "." + strings.TrimSuffix(name, suffix)
	}
	return location
}

func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "malformed_request"
	case http.StatusUnprocessableEntity:
		return "invalid"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnauthorized:
		return "unauthenticated"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	}
	if status >= 500 {
		return "internal"
	}
	return "error"
}
