package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

// maxJSONDepth bounds how deeply a JSON body nests objects and arrays, the
// body itself counting as one level. Character sheets, location metadata
// and notes nest a handful of levels; 32 leaves them room many times over,
// while keeping every recursive walk of a stored document (the decoders,
// the Markdown export, PostgreSQL's json functions) shallow and an
// indented export at most a few times the size of what was sent.
const maxJSONDepth = 32

// bundleEntityDepth is how much deeper an export document holds each entity
// than the entity's own create body does ({"characters":[{…}]}): import
// allows that much more, so that whatever was accepted exports and imports
// again.
const bundleEntityDepth = 2

// extraDepth names the operations whose body is a document holding
// entities further down.
var extraDepth = map[string]int{"import-campaign": bundleEntityDepth}

// inputError is a request refused before it is decoded.
type inputError struct {
	status   int
	code     string
	location string
	message  string
}

func (e *inputError) Error() string { return e.location + " " + e.message }

func badText(location, message string) *inputError {
	return &inputError{status: http.StatusUnprocessableEntity, code: "invalid_text", location: location, message: message}
}

const (
	msgNUL       = "must not contain the NUL character (U+0000)"
	msgUTF8      = "must be valid UTF-8"
	msgSurrogate = "must not contain a lone UTF-16 surrogate (\\ud800-\\udfff without its pair)"
)

// checkInput is the one check every operation's raw input passes before
// huma decodes it. Text must be storable the same way on both backends:
// PostgreSQL refuses NUL and invalid UTF-8 (SQLite would keep them, so an
// export would not import elsewhere), and Go's decoder silently turns
// invalid UTF-8 and lone surrogates into U+FFFD, so they are found in the
// raw bytes. This holds for every string of a body, the keys and values of
// free-form documents (stats, notes, metadata) included: PostgreSQL keeps
// those in json columns, which take "\u0000" as written, but jsonb and
// every extraction as text (->>) refuse it, so it is refused on the way in
// rather than found later. A JSON body must also have unique keys (the decoder keeps
// the last of two, so `"visibility":"gm","visibility":"players"` would
// mean players) and nest at most maxJSONDepth levels.
func checkInput(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if err := checkParams(ctx, op); err != nil {
		writeInputError(ctx, err)
		return
	}
	if op.RequestBody == nil || op.RequestBody.Content["application/json"] == nil {
		next(ctx)
		return
	}
	checked, err := checkBody(ctx, op)
	if err != nil {
		writeInputError(ctx, err)
		return
	}
	next(checked)
}

// checkParams checks path parameters and every query parameter, known to
// the operation or not.
func checkParams(ctx huma.Context, op *huma.Operation) *inputError {
	for _, p := range op.Parameters {
		if p.In != "path" {
			continue
		}
		if msg := textProblem(ctx.Param(p.Name)); msg != "" {
			return badText("path."+p.Name, msg)
		}
	}
	u := ctx.URL()
	return checkQuery(u.RawQuery)
}

// checkQuery checks each name=value pair as huma will read it: split on &,
// then percent-decoded. A pair that does not decode would otherwise be
// dropped silently.
func checkQuery(raw string) *inputError {
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return &inputError{status: http.StatusBadRequest, code: "malformed_request", location: "query", message: "has a parameter name that is not valid percent-encoding"}
		}
		if msg := textProblem(name); msg != "" {
			return badText("query", "has a parameter name that "+msg)
		}
		location := "query"
		if plainName(name) {
			location += "." + name
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return &inputError{status: http.StatusBadRequest, code: "malformed_request", location: location, message: "is not valid percent-encoding"}
		}
		if msg := textProblem(value); msg != "" {
			return badText(location, msg)
		}
	}
	return nil
}

// textProblem says what makes s unstorable, or "".
func textProblem(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return msgNUL
	}
	if !utf8.ValidString(s) {
		return msgUTF8
	}
	return ""
}

// checkBody reads the body, as much as the operation allows (and a byte
// more), and checks it. A body over the limit, or one that could not be
// read, goes on to huma unchecked, which answers 413 or the read error as
// it always has; huma reads it from memory either way.
//
// The body must arrive within the operation's BodyReadTimeout, and the
// deadline is lifted once it has: a read deadline left on the connection
// while the handler runs would, on passing, cancel the request's context
// and the connection's, so that a request longer than it failed as
// "context canceled" and so did the next one on the same connection
// (golang/go#70834).
func checkBody(ctx huma.Context, op *huma.Operation) (huma.Context, *inputError) {
	limit := op.MaxBodyBytes
	if limit <= 0 {
		limit = maxBundleBytes
	}
	r := ctx.BodyReader()
	if r == nil {
		return ctx, nil
	}
	if op.BodyReadTimeout > 0 {
		_ = ctx.SetReadDeadline(time.Now().Add(op.BodyReadTimeout))
	}
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	_ = ctx.SetReadDeadline(time.Time{})
	if err != nil {
		return bodyContext{ctx, io.MultiReader(bytes.NewReader(body), errReader{err})}, nil
	}
	if int64(len(body)) > limit {
		return bodyContext{ctx, bytes.NewReader(body)}, nil
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if ie := checkJSON(body, maxJSONDepth+extraDepth[op.OperationID], 1+extraDepth[op.OperationID]); ie != nil {
			return ctx, ie
		}
	}
	return bodyContext{ctx, bytes.NewReader(body)}, nil
}

// humaContext is embedded under another name: a field named Context would
// hide huma.Context's method Context.
type humaContext = huma.Context

// bodyContext hands huma the body checkBody has already read.
type bodyContext struct {
	humaContext
	body io.Reader
}

func (c bodyContext) BodyReader() io.Reader { return c.body }

// SetReadDeadline sets none: the body is in memory, and huma's deadline
// for reading it would stay on the connection while the handler runs.
func (c bodyContext) SetReadDeadline(time.Time) error { return nil }

// Unwrap lets huma and its adapter reach the request underneath.
func (c bodyContext) Unwrap() huma.Context { return c.humaContext }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func writeInputError(ctx huma.Context, e *inputError) {
	d := problemDetail(e.location, e.message, nil)
	p := newProblem(e.status, e.code, d.Location+" "+d.Message)
	p.Errors = []ProblemDetail{d}
	ctx.SetHeader("Content-Type", "application/problem+json")
	ctx.SetStatus(p.Status)
	_ = json.NewEncoder(ctx.BodyWriter()).Encode(p)
}

// plainName reports whether a key can be shown in a location as it is:
// a short word, nothing that reads as path syntax or needs escaping.
func plainName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' {
			return false
		}
	}
	return true
}

// checkJSON checks a whole JSON document in one pass: its grammar (what it
// accepts, encoding/json decodes), that every string is storable text,
// that no object repeats a key, and that it nests at most maxDepth levels.
// A depth problem names the field fieldDepth levels down, where the
// over-deep value was sent (body.stats), not the innermost level.
func checkJSON(data []byte, maxDepth, fieldDepth int) *inputError {
	c := &jsonChecker{data: data, maxDepth: maxDepth, fieldDepth: fieldDepth}
	c.space()
	if err := c.value(0); err != nil {
		return err
	}
	c.space()
	if c.pos != len(c.data) {
		return c.syntax("unexpected data after the document")
	}
	return nil
}

type jsonChecker struct {
	data       []byte
	pos        int
	maxDepth   int
	fieldDepth int
	path       []pathSegment
}

// pathSegment is an object key or, for an array element, index >= 0.
type pathSegment struct {
	key   string
	index int
}

func (c *jsonChecker) syntax(what string) *inputError {
	return &inputError{status: http.StatusBadRequest, code: "malformed_request", location: "body", message: "is not valid JSON: " + what + " at byte " + strconv.Itoa(c.pos)}
}

// location names the current path, down to at most segments levels and
// stopping before a key that is not a plain name.
func (c *jsonChecker) location(segments int) string {
	var b strings.Builder
	b.WriteString("body")
	for i, s := range c.path {
		if i == segments {
			break
		}
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		if !plainName(s.key) {
			break
		}
		b.WriteString("." + s.key)
	}
	return b.String()
}

func (c *jsonChecker) space() {
	for c.pos < len(c.data) {
		switch c.data[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

func (c *jsonChecker) value(depth int) *inputError {
	if c.pos >= len(c.data) {
		return c.syntax("unexpected end")
	}
	switch ch := c.data[c.pos]; {
	case ch == '{':
		return c.object(depth + 1)
	case ch == '[':
		return c.array(depth + 1)
	case ch == '"':
		_, err := c.str(false)
		if err != nil {
			err.location = c.location(len(c.path))
		}
		return err
	case ch == '-' || ch >= '0' && ch <= '9':
		return c.number()
	case ch == 't':
		return c.literal("true")
	case ch == 'f':
		return c.literal("false")
	case ch == 'n':
		return c.literal("null")
	}
	return c.syntax("unexpected character " + strconv.QuoteRune(rune(c.data[c.pos])))
}

func (c *jsonChecker) tooDeep() *inputError {
	return &inputError{status: http.StatusUnprocessableEntity, code: "too_deep", location: c.location(c.fieldDepth),
		message: fmt.Sprintf("nests too deeply: a body may nest at most %d levels of objects and arrays", c.maxDepth)}
}

func (c *jsonChecker) object(depth int) *inputError {
	if depth > c.maxDepth {
		return c.tooDeep()
	}
	c.pos++ // {
	c.space()
	if c.pos < len(c.data) && c.data[c.pos] == '}' {
		c.pos++
		return nil
	}
	seen := map[string]struct{}{}
	for {
		if c.pos >= len(c.data) || c.data[c.pos] != '"' {
			return c.syntax("expected a key")
		}
		key, err := c.str(true)
		if err != nil {
			err.location = c.location(len(c.path))
			err.message = "has a key that " + err.message
			return err
		}
		c.path = append(c.path, pathSegment{key: key, index: -1})
		if _, dup := seen[key]; dup {
			return &inputError{status: http.StatusBadRequest, code: "duplicate_key", location: c.location(len(c.path)), message: "appears more than once in its object"}
		}
		seen[key] = struct{}{}
		c.space()
		if c.pos >= len(c.data) || c.data[c.pos] != ':' {
			return c.syntax("expected ':'")
		}
		c.pos++
		c.space()
		if err := c.value(depth); err != nil {
			return err
		}
		c.path = c.path[:len(c.path)-1]
		if end, err := c.next('}'); end || err != nil {
			return err
		}
	}
}

func (c *jsonChecker) array(depth int) *inputError {
	if depth > c.maxDepth {
		return c.tooDeep()
	}
	c.pos++ // [
	c.space()
	if c.pos < len(c.data) && c.data[c.pos] == ']' {
		c.pos++
		return nil
	}
	for i := 0; ; i++ {
		c.path = append(c.path, pathSegment{index: i})
		if err := c.value(depth); err != nil {
			return err
		}
		c.path = c.path[:len(c.path)-1]
		if end, err := c.next(']'); end || err != nil {
			return err
		}
	}
}

// next reads what follows a member of an object or array: a comma (more
// members follow) or the closing bracket (end is true).
func (c *jsonChecker) next(closing byte) (end bool, err *inputError) {
	c.space()
	if c.pos >= len(c.data) {
		return false, c.syntax("unexpected end")
	}
	switch c.data[c.pos] {
	case ',':
		c.pos++
		c.space()
		return false, nil
	case closing:
		c.pos++
		return true, nil
	}
	return false, c.syntax("expected ',' or '" + string(closing) + "'")
}

// str reads a string at c.pos, decoding it when keep is set (keys: for
// duplicates and locations). A text problem comes back without its
// location, which the caller knows.
func (c *jsonChecker) str(keep bool) (string, *inputError) {
	c.pos++ // "
	var out []byte
	for c.pos < len(c.data) {
		ch := c.data[c.pos]
		switch {
		case ch == '"':
			c.pos++
			return string(out), nil
		case ch == '\\':
			r, err := c.escape()
			if err != nil {
				return "", err
			}
			if keep {
				out = utf8.AppendRune(out, r)
			}
		case ch == 0:
			return "", badText("", msgNUL)
		case ch < 0x20:
			return "", c.syntax("control character in a string")
		case ch < utf8.RuneSelf:
			if keep {
				out = append(out, ch)
			}
			c.pos++
		default:
			r, size := utf8.DecodeRune(c.data[c.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", badText("", msgUTF8)
			}
			if keep {
				out = append(out, c.data[c.pos:c.pos+size]...)
			}
			c.pos += size
		}
	}
	return "", c.syntax("unterminated string")
}

// escape reads one escape sequence at c.pos; a \u escape of a high
// surrogate must be followed by its low half.
func (c *jsonChecker) escape() (rune, *inputError) {
	if c.pos+1 >= len(c.data) {
		return 0, c.syntax("unterminated string")
	}
	switch e := c.data[c.pos+1]; e {
	case '"', '\\', '/':
		c.pos += 2
		return rune(e), nil
	case 'b':
		c.pos += 2
		return '\b', nil
	case 'f':
		c.pos += 2
		return '\f', nil
	case 'n':
		c.pos += 2
		return '\n', nil
	case 'r':
		c.pos += 2
		return '\r', nil
	case 't':
		c.pos += 2
		return '\t', nil
	case 'u':
	default:
		return 0, c.syntax("invalid escape")
	}
	r, ok := c.hex4(c.pos + 2)
	if !ok {
		return 0, c.syntax("invalid \\u escape")
	}
	c.pos += 6
	switch {
	case r == 0:
		return 0, badText("", msgNUL)
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, badText("", msgSurrogate)
	case r >= 0xD800 && r <= 0xDBFF:
		if c.pos+1 >= len(c.data) || c.data[c.pos] != '\\' || c.data[c.pos+1] != 'u' {
			return 0, badText("", msgSurrogate)
		}
		low, ok := c.hex4(c.pos + 2)
		if !ok {
			return 0, c.syntax("invalid \\u escape")
		}
		if low < 0xDC00 || low > 0xDFFF {
			return 0, badText("", msgSurrogate)
		}
		c.pos += 6
		return utf16Pair(r, low), nil
	}
	return r, nil
}

func utf16Pair(high, low rune) rune { return 0x10000 + (high-0xD800)<<10 + (low - 0xDC00) }

func (c *jsonChecker) hex4(at int) (rune, bool) {
	if at+4 > len(c.data) {
		return 0, false
	}
	var r rune
	for _, h := range c.data[at : at+4] {
		switch {
		case h >= '0' && h <= '9':
			r = r<<4 | rune(h-'0')
		case h >= 'a' && h <= 'f':
			r = r<<4 | rune(h-'a'+10)
		case h >= 'A' && h <= 'F':
			r = r<<4 | rune(h-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (c *jsonChecker) number() *inputError {
	if c.data[c.pos] == '-' {
		c.pos++
	}
	switch {
	case c.pos < len(c.data) && c.data[c.pos] == '0':
		c.pos++
	case c.digits() == 0:
		return c.syntax("invalid number")
	}
	if c.pos < len(c.data) && c.data[c.pos] == '.' {
		c.pos++
		if c.digits() == 0 {
			return c.syntax("invalid number")
		}
	}
	if c.pos < len(c.data) && (c.data[c.pos] == 'e' || c.data[c.pos] == 'E') {
		c.pos++
		if c.pos < len(c.data) && (c.data[c.pos] == '+' || c.data[c.pos] == '-') {
			c.pos++
		}
		if c.digits() == 0 {
			return c.syntax("invalid number")
		}
	}
	return nil
}

func (c *jsonChecker) digits() int {
	start := c.pos
	for c.pos < len(c.data) && c.data[c.pos] >= '0' && c.data[c.pos] <= '9' {
		c.pos++
	}
	return c.pos - start
}

func (c *jsonChecker) literal(word string) *inputError {
	if !bytes.HasPrefix(c.data[c.pos:], []byte(word)) {
		return c.syntax("invalid literal")
	}
	c.pos += len(word)
	return nil
}
