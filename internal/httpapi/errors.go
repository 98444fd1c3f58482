package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
)

// Problem is an RFC 9457 problem document, the body of every error answer.
type Problem struct {
	Type   string          `json:"type"`
	Title  string          `json:"title"`
	Status int             `json:"status"`
	Detail string          `json:"detail,omitempty"`
	Code   string          `json:"code"`
	Errors []ProblemDetail `json:"errors,omitempty"`
	// Budget and ResetsAt say, for code quota_exceeded, which monthly
	// budget of the campaign is spent and when it starts again.
	Budget   gmc.Budget `json:"budget,omitempty" enum:"ai_tokens,audio_seconds" doc:"With code quota_exceeded: the campaign budget that is spent"`
	ResetsAt *time.Time `json:"resets_at,omitempty" doc:"With code quota_exceeded: when the budget starts again (the next month, UTC); Retry-After counts the seconds until then"`
	headers  http.Header
}

// ProblemDetail names one bad field.
type ProblemDetail struct {
	Location string `json:"location,omitempty"`
	Message  string `json:"message"`
	Value    any    `json:"value,omitempty"`
	// ValueTruncated says Value is only the start of what was sent.
	ValueTruncated bool `json:"value_truncated,omitempty"`
}

// A problem names the bad value to help the client, but never sends a
// huge one back whole: a 2 MB field would make a 2 MB error.
const (
	maxEchoedValueBytes = 128
	maxLocationBytes    = 256
)

// problemDetail builds a detail whose location and value are bounded.
// A value longer than the bound is cut on a character boundary (a
// structured one as its JSON text) and marked as truncated.
func problemDetail(location, message string, value any) ProblemDetail {
	d := ProblemDetail{Location: location, Message: message, Value: value}
	if len(location) > maxLocationBytes {
		d.Location = cutUTF8(location, maxLocationBytes) + "…"
	}
	switch v := value.(type) {
	case nil, bool, int, int64, float64:
	case string:
		if len(v) > maxEchoedValueBytes {
			d.Value, d.ValueTruncated = cutUTF8(v, maxEchoedValueBytes), true
		}
	default:
		b, err := json.Marshal(v)
		if err != nil {
			d.Value, d.ValueTruncated = nil, true
		} else if len(b) > maxEchoedValueBytes {
			d.Value, d.ValueTruncated = cutUTF8(string(b), maxEchoedValueBytes), true
		}
	}
	return d
}

// cutUTF8 is the longest prefix of s of at most max bytes that does not
// split a character.
func cutUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
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
	{gmc.ErrFeatureDisabled, http.StatusForbidden, "feature_disabled"},
	{gmc.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{gmc.ErrRateLimited, http.StatusTooManyRequests, "rate_limited"},
	// A spent monthly budget is 429, not 403 or 402: it is a limit on
	// how much, and it passes (Retry-After says when). A full file quota
	// is 413 instead: waiting does not make room.
	{gmc.ErrQuotaExceeded, http.StatusTooManyRequests, "quota_exceeded"},
	{gmc.ErrTooLarge, http.StatusRequestEntityTooLarge, "too_large"},
	{gmc.ErrUnsupported, http.StatusUnsupportedMediaType, "unsupported_media_type"},
	{gmc.ErrUpstream, http.StatusBadGateway, "upstream_failed"},
	{gmc.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
	{gmc.ErrStorageFull, http.StatusInsufficientStorage, "storage_full"},
	{gmc.ErrTimeout, http.StatusGatewayTimeout, "request_timeout"},
}

func newProblem(status int, code, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Code: code}
}

// problemFrom turns any error a service returns into a Problem. Anything
// that is not a domain error is a 500 whose detail stays in the log.
func problemFrom(ctx context.Context, log *slog.Logger, err error) *Problem {
	p := problemOf(ctx, log, err)
	noteRefusal(ctx, p.Code)
	return p
}

func problemOf(ctx context.Context, log *slog.Logger, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	if timeout := ranOutOfTime(ctx, err); timeout != nil {
		log.WarnContext(ctx, "request stopped at its time limit", "error", err.Error(), "request_id", requestID(ctx))
		err = timeout
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
				p.Errors = append(p.Errors, problemDetail(f.Location, f.Message, nil))
			}
		}
		var rl *gmc.RateLimitError
		if errors.As(err, &rl) {
			p.headers = http.Header{"Retry-After": {strconv.Itoa(rl.RetryAfterSeconds)}}
		}
		var qe *gmc.QuotaError
		if errors.As(err, &qe) {
			resets := qe.ResetsAt.UTC()
			p.Budget, p.ResetsAt = qe.Budget, &resets
			p.headers = http.Header{"Retry-After": {strconv.Itoa(qe.RetryAfterSeconds)}}
		}
		return p
	}
	if infra := infrastructureFailure(err); infra != nil {
		log.ErrorContext(ctx, "infrastructure failure", "error", err.Error(), "request_id", requestID(ctx))
		return problemOf(ctx, log, infra)
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
					p.Errors = append(p.Errors, problemDetail(missingFieldLocation(ed.Location, ed.Message), ed.Message, ed.Value))
				} else {
					p.Errors = append(p.Errors, problemDetail("", e.Error(), nil))
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
