// Package gmc holds the domain of GameMaster's Companion: its entity types,
// their validation rules and the sentinel errors every layer speaks.
// It imports only the standard library.
package gmc

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error a store or service returns unwraps to one of
// these (or is an internal failure); httpapi maps them to HTTP statuses in
// one table.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalid         = errors.New("invalid input")
	ErrConflict        = errors.New("conflict")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrRateLimited     = errors.New("rate limited")
	// ErrTooLarge: an upload is larger than the server accepts.
	ErrTooLarge = errors.New("too large")
	// ErrUnsupported: an upload's content is of a type the server does
	// not accept.
	ErrUnsupported = errors.New("unsupported media type")
	// ErrUpstream: a server gmc asked on the caller's behalf (D&D Beyond,
	// say) failed or did not answer in time; trying again later may work.
	ErrUpstream = errors.New("upstream failed")
	// ErrUnavailable: a service the request needs (a virus scanner, say)
	// does not answer, or is not configured on this server (an
	// integration's credentials); retrying later may work.
	ErrUnavailable = errors.New("unavailable")
	// ErrStorageFull: the disk or database has no room for a write; the
	// write changed nothing, and an operator has to make room.
	ErrStorageFull = errors.New("storage full")
	// ErrTimeout: the request ran past the time the server allows its
	// kind; the work it had not committed was stopped and dropped.
	ErrTimeout = errors.New("timed out")
)

// FieldError is one problem with one input field. Location uses the
// problem+json convention: "body.name", "path.campaign_id", "query.limit".
type FieldError struct {
	Location string `json:"location"`
	Message  string `json:"message"`
}

// ValidationError lists everything wrong with an input. It unwraps to
// ErrInvalid so callers can test for it with errors.Is.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Location + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Invalid returns a ValidationError for a single field.
func Invalid(location, format string, args ...any) error {
	return &ValidationError{Fields: []FieldError{{Location: location, Message: fmt.Sprintf(format, args...)}}}
}

// Validator collects field errors; Err returns nil when there were none.
type Validator struct {
	fields []FieldError
}

// Add records a problem with the field at location.
func (v *Validator) Add(location, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Location: location, Message: fmt.Sprintf(format, args...)})
}

// Check records message for location when ok is false.
func (v *Validator) Check(ok bool, location, message string) {
	if !ok {
		v.Add(location, "%s", message)
	}
}

// Err returns the collected problems as a *ValidationError, or nil.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.fields}
}

// Error is a sentinel with a specific, user-facing message and a stable
// machine-readable code ("last_gm", "stale_version"). It unwraps to Kind.
type Error struct {
	Kind    error
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the sentinel this error is a case of.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf builds an *Error of the given sentinel kind.
func Errorf(kind error, code, format string, args ...any) error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// RateLimitError says how long the caller must wait.
type RateLimitError struct {
	RetryAfterSeconds int
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many attempts; retry after %d s", e.RetryAfterSeconds)
}

// Unwrap makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// StaleVersion is the conflict of a write based on an old version.
func StaleVersion(current int64) error {
	return Errorf(ErrConflict, "stale_version", "the object was changed by someone else (current version %d); reload and retry", current)
}
