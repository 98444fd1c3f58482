package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCheckJSON checks the body checker against encoding/json: it never
// panics, whatever it accepts decodes and holds no NUL, invalid UTF-8,
// lone surrogate, repeated key or over-deep nesting, and what it calls
// malformed encoding/json calls malformed too.
func FuzzCheckJSON(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Ireena","character_type":"npc","stats":{"hp":{"max":12,"now":-3.5e2}},"tags":["a","b"],"owner_id":null,"x":true}`,
		`{"email":"nul@example.com","password":"a long passphrase","display_name":"N\u0000L"}`,
		"{\"name\":\"a\x00b\"}",
		"\"unit separator \x1f\"",
		"{\"name\":\"a\xffb\"}",
		"{\"name\":\"a\xed\xa0\x80b\"}",
		`{"name":"a\ud800b"}`,
		`{"name":"a\ud800\u0041"}`,
		`{"name":"\udc00"}`,
		`{"name":"Grin \ud83d\ude00 \ufffd"}`,
		`{"stats":{"h\u0000p":1}}`,
		`{"visibility":"gm","visibility":"players"}`,
		`{"name":"a","n\u0061me":"b"}`,
		`{"stats":{"hp":{"max":1,"max":2}}}`,
		`{"stats":` + strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40) + `}`,
		strings.Repeat("[", 33) + strings.Repeat("]", 33),
		strings.Repeat("[", 32) + strings.Repeat("]", 32),
		`[1,2,[3,{"a":[]}],{}]`,
		`"just a string"`, `0`, `-0.0e+1`, `01`, `1.`, `.5`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":tru}`, `"\x"`, `"\u12"`, `{"a":"b"} x`,
		"\ufeff{}", " \t\r\n{} ", `{"\\ud800":"\\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := checkJSON(data, maxJSONDepth, 1)
		if err != nil {
			if err.code == "malformed_request" && json.Valid(data) {
				t.Fatalf("checker calls %q malformed (%v); encoding/json does not", data, err)
			}
			return
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if derr := dec.Decode(&v); derr != nil || !json.Valid(data) {
			t.Fatalf("accepted %q, which does not decode: %v", data, derr)
		}
		if !utf8.Valid(data) {
			t.Fatalf("accepted invalid UTF-8 %q", data)
		}
		if s, ok := findString(v, func(s string) bool { return strings.IndexByte(s, 0) >= 0 }); ok {
			t.Fatalf("accepted %q with a NUL in %q", data, s)
		}
		if decoded, sent := countReplacement(v), replacementsSent(data); decoded > sent {
			t.Fatalf("accepted %q, which decodes with %d U+FFFD where %d were sent: a lone surrogate", data, decoded, sent)
		}
		depth, dup, serr := shape(data)
		switch {
		case serr != nil:
			t.Fatalf("accepted %q: %v", data, serr)
		case dup:
			t.Fatalf("accepted %q, which repeats a key", data)
		case depth > maxJSONDepth:
			t.Fatalf("accepted %q, which nests %d levels", data, depth)
		}
	})
}

// findString walks a decoded document, keys included.
func findString(v any, bad func(string) bool) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, bad(x)
	case []any:
		for _, e := range x {
			if s, ok := findString(e, bad); ok {
				return s, true
			}
		}
	case map[string]any:
		for k, e := range x {
			if bad(k) {
				return k, true
			}
			if s, ok := findString(e, bad); ok {
				return s, true
			}
		}
	}
	return "", false
}

func countReplacement(v any) int {
	n := 0
	findString(v, func(s string) bool {
		n += strings.Count(s, "\uFFFD")
		return false
	})
	return n
}

var escapedReplacement = regexp.MustCompile(`(?i)\\ufffd`)

// replacementsSent counts the U+FFFD a client wrote on purpose, as UTF-8
// or as an escape. Go's decoder makes one of every lone surrogate, so
// more of them after decoding means one slipped through.
func replacementsSent(data []byte) int {
	return bytes.Count(data, []byte("\uFFFD")) + len(escapedReplacement.FindAll(data, -1))
}

// shape is encoding/json's view of the document's nesting and keys.
func shape(data []byte) (maxDepth int, duplicate bool, err error) {
	type frame struct {
		object, wantKey bool
		keys            map[string]bool
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return maxDepth, false, nil
		}
		if err != nil {
			return maxDepth, false, err
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			k := tok.(string)
			if top.keys[k] {
				return maxDepth, true, nil
			}
			top.keys[k], top.wantKey = true, false
			continue
		}
		if top != nil && top.object {
			top.wantKey = true
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{object: d == '{', wantKey: d == '{', keys: map[string]bool{}})
			maxDepth = max(maxDepth, len(stack))
		}
	}
}

// TestCheckQuery: each pair is checked as huma reads it, known or not.
func TestCheckQuery(t *testing.T) {
	tests := []struct {
		raw, location string
		status        int
	}{
		{"limit=1&cursor=abc&flag", "", 0},
		{"q=caf%C3%A9&q=+x+", "", 0},
		{"q=a%00b", "query.q", 422},
		{"q=%FF", "query.q", 422},
		{"limit=1&cursor=%%%garbage", "query.cursor", 400},
		{"%zz=1", "query", 400},
		{"a%00b=1", "query", 422},
		{"we.ird=%00", "query", 422},
	}
	for _, tc := range tests {
		err := checkQuery(tc.raw)
		switch {
		case tc.status == 0 && err != nil:
			t.Errorf("%q: refused: %v", tc.raw, err)
		case tc.status != 0 && (err == nil || err.status != tc.status || err.location != tc.location):
			t.Errorf("%q: got %+v, want %d at %s", tc.raw, err, tc.status, tc.location)
		}
	}
}

// TestCheckJSONLocations: a refused body names the field, never a huge or
// odd key, and a depth problem names where the deep value was sent.
func TestCheckJSONLocations(t *testing.T) {
	long := strings.Repeat("k", 65)
	tests := []struct {
		body             string
		depth, fieldPath int
		location, code   string
	}{
		{`{"stats":{"` + long + `":{"x":"\u0000"}}}`, maxJSONDepth, 1, "body.stats", "invalid_text"},
		{`{"stats":{"a b":"\u0000"}}`, maxJSONDepth, 1, "body.stats", "invalid_text"},
		{`{"items":[{"a":1},{"a":"\ud800"}]}`, maxJSONDepth, 1, "body.items[1].a", "invalid_text"},
		{`"\u0000"`, maxJSONDepth, 1, "body", "invalid_text"},
		{`{"characters":[{"stats":` + strings.Repeat(`[`, 40) + strings.Repeat(`]`, 40) + `}]}`, maxJSONDepth, 3, "body.characters[0].stats", "too_deep"},
		{`{"a":{"b":{"c":1}}}`, 3, 1, "", ""},
		{`{"a":{"b":{"c":{}}}}`, 3, 1, "body.a", "too_deep"},
		{`{"a":1,"b":2,"a":3}`, maxJSONDepth, 1, "body.a", "duplicate_key"},
		{`{"a":1 "b":2}`, maxJSONDepth, 1, "body", "malformed_request"},
	}
	for _, tc := range tests {
		err := checkJSON([]byte(tc.body), tc.depth, tc.fieldPath)
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("%.60s: refused: %v", tc.body, err)
		case tc.code != "" && (err == nil || err.code != tc.code || err.location != tc.location):
			t.Errorf("%.60s: got %+v, want %s at %s", tc.body, err, tc.code, tc.location)
		}
	}
}
