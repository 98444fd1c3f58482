package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/llm/llmtest"
)

type spell struct {
	Name   string   `json:"name" schema:"minLength=1"`
	Level  int      `json:"level" schema:"minimum=0,maximum=9"`
	School string   `json:"school" enum:"evocation,necromancy,illusion"`
	Tags   []string `json:"tags" schema:"minItems=1,maxItems=3"`
	Note   *string  `json:"note"`
}

const goodSpell = `{"name":"Fireball","level":3,"school":"evocation","tags":["fire"],"note":null}`

// testClient is a client of srv whose retry waits are recorded instead of
// slept, so tests see what the client would wait without waiting.
type testClient struct {
	*Client
	mu    sync.Mutex
	waits []time.Duration
}

func newTestClient(t *testing.T, srv *llmtest.Server, edit func(*Config)) *testClient {
	t.Helper()
	cfg := Config{BaseURL: srv.URL, Model: srv.Model, RequestTimeout: 10 * time.Second, TotalTimeout: 30 * time.Second, Concurrency: 4, MaxRetries: 2}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tc := &testClient{Client: c}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		tc.mu.Lock()
		tc.waits = append(tc.waits, d)
		tc.mu.Unlock()
		return ctx.Err()
	}
	return tc
}

func (tc *testClient) recordedWaits() []time.Duration {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return append([]time.Duration(nil), tc.waits...)
}

func spellPrompt() Prompt {
	return Prompt{Name: "spell", System: "You know D&D spells.", User: "Describe fireball.", Campaign: "c1", Temperature: 0.3, MaxTokens: 200}
}

// mustValidate fails unless v, written as JSON, matches T's schema.
func mustValidate[T any](t *testing.T, v T) {
	t.Helper()
	s, err := SchemaFor[T]()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(v)
	var back any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if probs := s.Validate(back); probs != nil {
		t.Fatalf("returned value %s breaks the schema: %v", raw, probs)
	}
}

func TestCompleteSendsSchemaAndReturnsValue(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.APIKey = "sk-test-0123456789"
	srv.Script(llmtest.Reply{Content: goodSpell})
	c := newTestClient(t, srv, func(cfg *Config) { cfg.APIKey = "sk-test-0123456789" })
	res, err := Generate[spell](context.Background(), c.Client, spellPrompt())
	if err != nil {
		t.Fatal(err)
	}
	if res.Value.Name != "Fireball" || res.Value.Level != 3 || res.Value.Note != nil || res.Repaired || res.Format != "json_schema" {
		t.Errorf("result = %+v", res)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	body := reqs[0].Body
	if body["model"] != srv.Model || body["temperature"] != 0.3 || body["top_p"] != 1.0 || body["max_tokens"] != 200.0 {
		t.Errorf("request = %v", body)
	}
	rf := body["response_format"].(map[string]any)
	js := rf["json_schema"].(map[string]any)
	want, _ := SchemaFor[spell]()
	wantRaw, _ := want.MarshalJSON()
	gotRaw, _ := json.Marshal(js["schema"])
	var a, b any
	json.Unmarshal(wantRaw, &a)
	json.Unmarshal(gotRaw, &b)
	if rf["type"] != "json_schema" || js["name"] != "spell" || js["strict"] != true || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("response_format = %v, want the schema of spell", rf)
	}
	if got := reqs[0].Header.Get("Authorization"); got != "Bearer sk-test-0123456789" {
		t.Errorf("Authorization = %q", got)
	}
	if !strings.Contains(reqs[0].Messages[0].Content, "JSON") {
		t.Errorf("system message %q does not ask for JSON", reqs[0].Messages[0].Content)
	}
	if res.Usage.Calls != 1 || res.Usage.PromptTokens == 0 || res.Usage.CompletionTokens == 0 || res.Usage.Estimated {
		t.Errorf("usage = %+v, want the server's counts for one call", res.Usage)
	}
	if got := c.Usage("c1"); got != res.Usage {
		t.Errorf("campaign usage = %+v, want %+v", got, res.Usage)
	}
}

func TestCompleteRepairsOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, bad, problem string
		finish             string
	}{
		{"malformed", `{"name":"Fireball","level":3,`, "not valid JSON", ""},
		{"prose", `Sure! Here is the spell.`, "not valid JSON", ""},
		{"empty", ``, "empty", ""},
		{"wrong enum", `{"name":"Fireball","level":3,"school":"pyromancy","tags":["fire"],"note":null}`, `/school: "pyromancy" is not one of`, ""},
		{"missing property", `{"name":"Fireball","level":3,"tags":["fire"],"note":null}`, `missing required property "school"`, ""},
		{"extra property", `{"name":"Fireball","level":3,"school":"evocation","tags":["fire"],"note":null,"damage":"8d6"}`, `unknown property "damage"`, ""},
		{"over maximum", `{"name":"Fireball","level":12,"school":"evocation","tags":["fire"],"note":null}`, "/level: 12 is more than the maximum 9", ""},
		{"not integer", `{"name":"Fireball","level":3.5,"school":"evocation","tags":["fire"],"note":null}`, "/level: want integer, got number", ""},
		{"too few items", `{"name":"Fireball","level":3,"school":"evocation","tags":[],"note":null}`, "/tags: want at least 1 items", ""},
		{"wrong type", `{"name":"Fireball","level":"3","school":"evocation","tags":["fire"],"note":null}`, "/level: want integer, got string", ""},
		{"trailing text", goodSpell + ` I hope this helps`, "more after the JSON", ""},
		{"truncated", `{"name":"Fireball","level":3,"school":"evoc`, "cut off at the token limit", "length"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.New(t)
			srv.Script(llmtest.Reply{Content: tc.bad, FinishReason: tc.finish}, llmtest.Reply{Content: goodSpell})
			c := newTestClient(t, srv, nil)
			res, err := Generate[spell](context.Background(), c.Client, spellPrompt())
			if err != nil {
				t.Fatal(err)
			}
			if !res.Repaired || res.Value.Name != "Fireball" || res.Usage.Calls != 2 {
				t.Errorf("result = %+v, want a repaired value from two calls", res)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			m := reqs[1].Messages
			if len(m) != 4 || m[2].Role != "assistant" || m[2].Content != tc.bad || m[3].Role != "user" || !strings.Contains(m[3].Content, tc.problem) {
				t.Errorf("repair request messages = %q, want the bad answer and a problem containing %q", m, tc.problem)
			}
		})
	}
}

func TestCompleteAcceptsWrappedJSON(t *testing.T) {
	t.Parallel()
	for _, content := range []string{
		"```json\n" + goodSpell + "\n```",
		"```\n" + goodSpell + "```",
		"<think>The user wants fireball. {\"x\":1}</think>\n" + goodSpell,
		"  \n" + goodSpell + "\n\n",
	} {
		srv := llmtest.New(t)
		srv.Script(llmtest.Reply{Content: content})
		c := newTestClient(t, srv, nil)
		res, err := Generate[spell](context.Background(), c.Client, spellPrompt())
		if err != nil || res.Repaired || res.Value.School != "evocation" {
			t.Errorf("%q: Generate = %+v, %v", content, res, err)
		}
	}
}

func TestCompleteGivesUpAfterOneRepair(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	bad := `{"name":"","level":3,"school":"evocation","tags":["fire"],"note":null}`
	srv.Always(llmtest.Reply{Content: bad})
	c := newTestClient(t, srv, nil)
	v, err := Complete[spell](context.Background(), c.Client, spellPrompt())
	var ie *InvalidAnswerError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "/name: want at least 1 characters") {
		t.Fatalf("err = %v, want an InvalidAnswerError about /name", err)
	}
	if v.Name != "" || v.Level != 0 {
		t.Errorf("value = %+v, want the zero value with the error", v)
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want the answer and one repair", n)
	}
	if got := c.Usage("c1"); got.Calls != 2 {
		t.Errorf("usage = %+v, want both calls counted", got)
	}
}

// TestEveryResultSchemaValid feeds the client every prefix of a valid
// answer (all but the last malformed or incomplete), schema violations and
// streams cut mid-way, each followed by another bad or a good answer, and
// checks that every value returned validates and every failure is an
// error: 100 % schema-valid results.
func TestEveryResultSchemaValid(t *testing.T) {
	t.Parallel()
	var bad []string
	for i := 0; i < len(goodSpell); i++ {
		bad = append(bad, goodSpell[:i])
	}
	bad = append(bad,
		`{"name":"Fireball","level":-1,"school":"evocation","tags":["fire"],"note":null}`,
		`{"name":"Fireball","level":3,"school":"evocation","tags":["a","b","c","d"],"note":null}`,
		`{"name":"Fireball","level":3,"school":"evocation","tags":["fire"],"note":7}`,
		`{"name":"Fireball","level":3,"school":"evocation","tags":[1],"note":null}`,
		`[]`, `null`, `"text"`, `{"name":"Fireball"}{"x":1}`,
	)
	srv := llmtest.New(t)
	c := newTestClient(t, srv, func(cfg *Config) { cfg.MaxRetries = 1 })
	var valid, failed int
	for i, b := range bad {
		for _, stream := range []bool{false, true} {
			second := llmtest.Reply{Content: goodSpell}
			if i%2 == 1 {
				second = llmtest.Reply{Content: bad[(i*7)%len(bad)]}
			}
			first := llmtest.Reply{Content: b}
			if stream && i%3 == 0 && len(goodSpell) > i+1 {
				// A stream cut after i bytes, then retried.
				srv.Script(llmtest.Reply{Content: goodSpell, CutAfter: i + 1, ChunkSize: i + 1})
			}
			srv.Script(first, second)
			p := spellPrompt()
			p.Stream = stream
			v, err := Complete[spell](context.Background(), c.Client, p)
			if err != nil {
				var ie *InvalidAnswerError
				if !errors.As(err, &ie) {
					t.Errorf("answer %q: err = %v, want an InvalidAnswerError", b, err)
				}
				failed++
				continue
			}
			mustValidate(t, v)
			valid++
			if srv.Pending() != 0 {
				t.Fatalf("answer %q: %d scripted replies left", b, srv.Pending())
			}
		}
	}
	if valid == 0 || failed == 0 {
		t.Errorf("valid = %d, failed = %d; the battery should produce both", valid, failed)
	}
	t.Logf("%d answers valid, %d errors, 0 invalid values", valid, failed)
}

func TestStreamingProgressAndUsage(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.Script(llmtest.Reply{Content: goodSpell, ChunkSize: 5})
	c := newTestClient(t, srv, nil)
	var got []int
	p := spellPrompt()
	p.Stream = true
	p.ExpectedChars = 100
	p.Progress = func(received, expected int) {
		if expected != 100 {
			t.Errorf("expected = %d, want 100", expected)
		}
		got = append(got, received)
	}
	res, err := Generate[spell](context.Background(), c.Client, p)
	if err != nil {
		t.Fatal(err)
	}
	if res.Value.Name != "Fireball" || res.Usage.Estimated || res.Usage.CompletionTokens == 0 {
		t.Errorf("result = %+v", res)
	}
	if len(got) != (len(goodSpell)+4)/5 || got[len(got)-1] != len(goodSpell) {
		t.Errorf("progress = %v, want one call per chunk ending at %d", got, len(goodSpell))
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Errorf("progress %v goes backwards", got)
		}
	}
	req := srv.Requests()[0]
	so, _ := req.Body["stream_options"].(map[string]any)
	if !req.Stream || so["include_usage"] != true || req.Header.Get("Accept") != "text/event-stream" {
		t.Errorf("stream request = %v %v", req.Body, req.Header)
	}
}

func TestStreamCutIsRetried(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.Script(llmtest.Reply{Content: goodSpell, CutAfter: 20}, llmtest.Reply{Content: goodSpell})
	c := newTestClient(t, srv, nil)
	p := spellPrompt()
	p.Stream = true
	res, err := Generate[spell](context.Background(), c.Client, p)
	if err != nil || res.Value.Name != "Fireball" || res.Repaired {
		t.Fatalf("Generate = %+v, %v", res, err)
	}
	if n := len(srv.Requests()); n != 2 || len(c.recordedWaits()) != 1 {
		t.Errorf("%d requests, waits %v; want a retry after the cut", n, c.recordedWaits())
	}

	srv2 := llmtest.New(t)
	srv2.Always(llmtest.Reply{Content: goodSpell, CutAfter: 10})
	c2 := newTestClient(t, srv2, nil)
	_, err = Complete[spell](context.Background(), c2.Client, p)
	if !errors.Is(err, ErrStreamCut) {
		t.Errorf("err = %v, want ErrStreamCut", err)
	}
	if n := len(srv2.Requests()); n != 3 {
		t.Errorf("%d requests, want 1 + MaxRetries (2)", n)
	}
}

func TestStreamHalfSpokenServers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		reply llmtest.Reply
		ok    bool
	}{
		{"no [DONE] after finish", llmtest.Reply{Content: goodSpell, NoDone: true}, true},
		{"bare chunks, no usage", llmtest.Reply{Content: goodSpell, Bare: true, NoUsage: true}, true},
		{"plain JSON to a stream request", llmtest.Reply{RawBody: `{"choices":[{"message":{"content":` + strconvQuote(goodSpell) + `}}]}`, Header: map[string]string{"Content-Type": "application/json"}}, true},
		{"ends without finish or [DONE]", llmtest.Reply{RawBody: "data: {\"choices\":[{\"delta\":{\"content\":\"{\\\"name\\\"\"}}]}\n\n"}, false},
		{"[DONE] without a final newline", llmtest.Reply{RawBody: "data: {\"choices\":[{\"delta\":{\"content\":" + strconvQuote(goodSpell) + "}}]}\n\ndata: [DONE]"}, true},
		{"cut inside a chunk", llmtest.Reply{RawBody: "data: {\"choices\":[{\"delta\":{\"content\":\"{\\\"na"}, false},
		{"chunk is not JSON", llmtest.Reply{RawBody: "data: {oops\n\n"}, false},
		{"error event", llmtest.Reply{RawBody: "data: {\"error\":{\"message\":\"context length exceeded\"}}\n\n"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.New(t)
			srv.Always(tc.reply)
			c := newTestClient(t, srv, func(cfg *Config) { cfg.MaxRetries = -1 })
			p := spellPrompt()
			p.Stream = true
			res, err := Generate[spell](context.Background(), c.Client, p)
			if tc.ok {
				if err != nil || res.Value.Name != "Fireball" {
					t.Fatalf("Generate = %+v, %v", res, err)
				}
				if tc.reply.NoUsage && !res.Usage.Estimated {
					t.Errorf("usage = %+v, want an estimate", res.Usage)
				}
				return
			}
			if err == nil {
				t.Fatalf("Generate = %+v, want an error", res)
			}
		})
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestRetries(t *testing.T) {
	t.Parallel()
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name     string
		first    llmtest.Reply
		wantWait func(time.Duration) bool
	}{
		{"429 Retry-After seconds", llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "7"}}, func(d time.Duration) bool { return d == 7*time.Second }},
		{"503 Retry-After date", llmtest.Reply{Status: 503, Header: map[string]string{"Retry-After": date}}, func(d time.Duration) bool { return d > 80*time.Second && d <= 90*time.Second }},
		{"500 backoff", llmtest.Reply{Status: 500}, func(d time.Duration) bool { return d >= 250*time.Millisecond && d <= 500*time.Millisecond }},
		{"429 without Retry-After", llmtest.Reply{Status: 429}, func(d time.Duration) bool { return d > 0 && d <= 500*time.Millisecond }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.New(t)
			srv.Script(tc.first, llmtest.Reply{Content: goodSpell})
			c := newTestClient(t, srv, func(cfg *Config) { cfg.TotalTimeout = 5 * time.Minute })
			res, err := Generate[spell](context.Background(), c.Client, spellPrompt())
			if err != nil || res.Usage.Calls != 1 {
				t.Fatalf("Generate = %+v, %v", res, err)
			}
			w := c.recordedWaits()
			if len(w) != 1 || !tc.wantWait(w[0]) {
				t.Errorf("waits = %v", w)
			}
		})
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 404, 422} {
		srv := llmtest.New(t)
		srv.Always(llmtest.Reply{Status: status, RawBody: `{"detail":"bad things"}`})
		c := newTestClient(t, srv, nil)
		p := spellPrompt()
		_, err := Complete[spell](context.Background(), c.Client, p)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != status || ae.Message != "bad things" {
			t.Errorf("%d: err = %v", status, err)
		}
		// A 400 or 422 to json_schema is tried once as json_object,
		// nothing more.
		want := 1
		if status == 400 || status == 422 {
			want = 2
		}
		if n := len(srv.Requests()); n != want || len(c.recordedWaits()) != 0 {
			t.Errorf("%d: %d requests, waits %v; want %d and none", status, n, c.recordedWaits(), want)
		}
	}
}

func TestRetriesGiveUp(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.Always(llmtest.Reply{Status: 502})
	c := newTestClient(t, srv, nil)
	_, err := Complete[spell](context.Background(), c.Client, spellPrompt())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 502 {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests, want 1 + MaxRetries (2)", n)
	}

	// A Retry-After beyond the overall deadline fails at once.
	for _, ra := range []string{"3600", "1e300", "+Inf"} {
		srv2 := llmtest.New(t)
		srv2.Always(llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": ra}})
		c2 := newTestClient(t, srv2, func(cfg *Config) { cfg.TotalTimeout = 10 * time.Second })
		_, err = Complete[spell](context.Background(), c2.Client, spellPrompt())
		if err == nil || !strings.Contains(err.Error(), "would pass the deadline") || len(c2.recordedWaits()) != 0 {
			t.Errorf("Retry-After %s: err = %v, waits %v; want a deadline error without waiting", ra, err, c2.recordedWaits())
		}
	}
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.Script(llmtest.Reply{Content: goodSpell, Delay: time.Minute})
	srv.Always(llmtest.Reply{Content: goodSpell})
	c := newTestClient(t, srv, func(cfg *Config) { cfg.RequestTimeout = 200 * time.Millisecond })
	res, err := Generate[spell](context.Background(), c.Client, spellPrompt())
	if err != nil || res.Value.Name != "Fireball" {
		t.Fatalf("Generate = %+v, %v; want the slow attempt retried", res, err)
	}

	srv2 := llmtest.New(t)
	srv2.Always(llmtest.Reply{Content: goodSpell, Delay: time.Minute})
	c2 := newTestClient(t, srv2, func(cfg *Config) { cfg.RequestTimeout = 50 * time.Millisecond; cfg.MaxRetries = 1 })
	_, err = Complete[spell](context.Background(), c2.Client, spellPrompt())
	if n := len(srv2.Requests()); !errors.Is(err, ErrTimeout) || n > 2 {
		t.Errorf("err = %v after %d requests, want ErrTimeout after at most 2", err, n)
	}

	// The overall timeout ends a call whatever the retries left.
	srv3 := llmtest.New(t)
	srv3.Always(llmtest.Reply{Content: goodSpell, Delay: time.Minute})
	c3 := newTestClient(t, srv3, func(cfg *Config) { cfg.TotalTimeout = 50 * time.Millisecond; cfg.MaxRetries = 5 })
	_, err = Complete[spell](context.Background(), c3.Client, spellPrompt())
	if n := len(srv3.Requests()); !errors.Is(err, context.DeadlineExceeded) || n > 1 || len(c3.recordedWaits()) != 0 {
		t.Errorf("err = %v after %d requests, waits %v; want the overall deadline, no retry", err, n, c3.recordedWaits())
	}

	// A stream's timeout is the silence between chunks, not its length.
	srv4 := llmtest.New(t)
	// 26 chunks 25 ms apart take about twice the 300 ms timeout.
	srv4.Script(llmtest.Reply{Content: goodSpell, ChunkSize: 3, Delay: 25 * time.Millisecond})
	c4 := newTestClient(t, srv4, func(cfg *Config) { cfg.RequestTimeout = 300 * time.Millisecond; cfg.MaxRetries = -1 })
	p := spellPrompt()
	p.Stream = true
	if _, err := Complete[spell](context.Background(), c4.Client, p); err != nil {
		t.Errorf("slow but steady stream: %v", err)
	}
}

func TestJSONSchemaRefusalFallsBackOnce(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.RejectJSONSchema()
	srv.Always(llmtest.Reply{Content: goodSpell})
	c := newTestClient(t, srv, nil)
	for i := range 3 {
		res, err := Generate[spell](context.Background(), c.Client, spellPrompt())
		if err != nil || res.Format != "json_object" || res.Value.Name != "Fireball" {
			t.Fatalf("call %d: %+v, %v", i, res, err)
		}
	}
	reqs := srv.Requests()
	var formats []string
	for _, r := range reqs {
		formats = append(formats, r.Format)
	}
	if strings.Join(formats, " ") != "json_schema json_object json_object json_object" {
		t.Errorf("formats = %v, want json_schema refused once then json_object", formats)
	}
	if sys := reqs[1].Messages[0].Content; !strings.Contains(sys, `"school":{"type":"string","enum":["evocation","necromancy","illusion"]}`) {
		t.Errorf("json_object system message lacks the schema: %q", sys)
	}
	if len(c.recordedWaits()) != 0 {
		t.Errorf("waits = %v, want none for a refusal", c.recordedWaits())
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	other := llmtest.New(t)
	other.Always(llmtest.Reply{Content: goodSpell})
	srv := llmtest.New(t)
	srv.Script(llmtest.Reply{Status: http.StatusTemporaryRedirect, Header: map[string]string{"Location": other.URL + "/chat/completions"}})
	c := newTestClient(t, srv, func(cfg *Config) { cfg.APIKey = "sk-secret-key-value" })
	_, err := Complete[spell](context.Background(), c.Client, spellPrompt())
	if !errors.Is(err, ErrForeignHost) {
		t.Errorf("err = %v, want ErrForeignHost", err)
	}
	if n := len(other.Requests()); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
	if len(srv.Requests()) != 1 {
		t.Errorf("%d requests, want no retry of a refused redirect", len(srv.Requests()))
	}

	// A redirect within the configured host is followed.
	srv.Script(llmtest.Reply{Status: http.StatusTemporaryRedirect, Header: map[string]string{"Location": srv.URL + "/chat/completions"}}, llmtest.Reply{Content: goodSpell})
	if _, err := Complete[spell](context.Background(), c.Client, spellPrompt()); err != nil {
		t.Errorf("same-host redirect: %v", err)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.Always(llmtest.Reply{Content: goodSpell, Delay: 20 * time.Millisecond})
	c := newTestClient(t, srv, func(cfg *Config) { cfg.Concurrency = 2 })
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := Complete[spell](context.Background(), c.Client, spellPrompt())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if peak := srv.MaxInFlight(); peak > 2 || peak < 1 {
		t.Errorf("server saw %d requests at once, want at most 2", peak)
	}
	if got := c.Usage("c1").Calls; got != 8 {
		t.Errorf("calls = %d, want 8", got)
	}
}

func TestConcurrencyWaitIsCancellable(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.Script(llmtest.Reply{Content: goodSpell, Delay: time.Minute})
	c := newTestClient(t, srv, func(cfg *Config) { cfg.Concurrency = 1 })
	holder, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Complete[spell](holder, c.Client, spellPrompt())
		done <- err
	}()
	for len(srv.Requests()) == 0 {
		time.Sleep(time.Millisecond)
	}
	waiter, cancel := context.WithCancel(context.Background())
	waitErr := make(chan error, 1)
	go func() {
		_, err := Complete[spell](waiter, c.Client, spellPrompt())
		waitErr <- err
	}()
	cancel()
	if err := <-waitErr; err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("waiting call: err = %v, want context.Canceled", err)
	}
	stop()
	<-done
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests reached the server, want only the holder's", n)
	}
}

func TestUsagePerCampaign(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.Always(llmtest.Reply{Content: goodSpell})
	c := newTestClient(t, srv, nil)
	var want = map[string]Usage{}
	for _, campaign := range []string{"a", "b", "a", ""} {
		p := spellPrompt()
		p.Campaign = campaign
		res, err := Generate[spell](context.Background(), c.Client, p)
		if err != nil {
			t.Fatal(err)
		}
		u := want[campaign]
		u.add(res.Usage)
		want[campaign] = u
	}
	got := c.UsageByCampaign()
	if len(got) != 3 || got["a"] != want["a"] || got["b"] != want["b"] || got[""] != want[""] || got["a"].Calls != 2 {
		t.Errorf("usage = %+v, want %+v", got, want)
	}
}

// TestSpentPerCampaign: Spent hears every answered call made for a
// campaign, with the call's context, the repair included and a failed
// attempt not; calls for no campaign are not told.
func TestSpentPerCampaign(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	type key struct{}
	var mu sync.Mutex
	told := map[string]Usage{}
	c := newTestClient(t, srv, func(cfg *Config) {
		cfg.Spent = func(ctx context.Context, campaign string, u Usage) {
			if ctx.Value(key{}) != "request" {
				t.Errorf("Spent got a context without the call's value")
			}
			mu.Lock()
			defer mu.Unlock()
			sum := told[campaign]
			sum.add(u)
			told[campaign] = sum
		}
	})
	ctx := context.WithValue(context.Background(), key{}, "request")
	srv.Script(llmtest.Reply{Status: 500}, llmtest.Reply{Content: `{"name":"Fireball"}`}, llmtest.Reply{Content: goodSpell})
	for _, campaign := range []string{"a", "b", ""} {
		srv.Always(llmtest.Reply{Content: goodSpell})
		p := spellPrompt()
		p.Campaign = campaign
		if _, err := Generate[spell](ctx, c.Client, p); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	all := c.UsageByCampaign()
	if len(told) != 2 || told["a"] != all["a"] || told["b"] != all["b"] || told["a"].Calls != 2 || told["a"].Total() == 0 {
		t.Errorf("Spent heard %+v, want the usage of a (with its repair) and b: %+v", told, all)
	}
}

func TestSecretsStayOut(t *testing.T) {
	t.Parallel()
	const key = "sk-very-secret-key-0042"
	srv := llmtest.New(t)
	srv.APIKey = "sk-other"
	c := newTestClient(t, srv, func(cfg *Config) { cfg.APIKey = key })
	_, err := Complete[spell](context.Background(), c.Client, spellPrompt())
	if err == nil || strings.Contains(err.Error(), key) {
		t.Errorf("err = %v, want a 401 that does not show the key", err)
	}
	if s := c.cfg.String(); strings.Contains(s, key) || !strings.Contains(s, "APIKey: set") {
		t.Errorf("Config.String() = %q", s)
	}
	if s := fmt.Sprintf("%v %+v", c.cfg, c.cfg); strings.Contains(s, key) {
		t.Errorf("formatted config shows the key: %q", s)
	}
}

func TestNoKeyNoAuthorization(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	srv.Always(llmtest.Reply{Content: goodSpell})
	c := newTestClient(t, srv, nil)
	if _, err := Complete[spell](context.Background(), c.Client, spellPrompt()); err != nil {
		t.Fatal(err)
	}
	if h := srv.Requests()[0].Header.Get("Authorization"); h != "" {
		t.Errorf("Authorization = %q without a key", h)
	}
}

func TestModels(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	c := newTestClient(t, srv, nil)
	got, err := c.Models(context.Background())
	if err != nil || len(got) != 1 || got[0] != srv.Model {
		t.Errorf("Models = %v, %v", got, err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{BaseURL: "ftp://x/v1", Model: "m"}, "base URL"},
		{Config{BaseURL: "http://user:pw@x/v1", Model: "m"}, "no user"},
		{Config{BaseURL: "http://x/v1"}, "model"},
		{Config{BaseURL: "http://x/v1", Model: "m", Concurrency: -1}, "positive"},
	}
	for _, tc := range tests {
		if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%v) = %v, want an error about %s", tc.cfg, err, tc.want)
		}
	}
	c, err := New(Config{BaseURL: "http://127.0.0.1:11434", Model: "m"})
	if err != nil || c.chatURL != "http://127.0.0.1:11434/v1/chat/completions" {
		t.Errorf("bare host: %v, %v", c, err)
	}
}
