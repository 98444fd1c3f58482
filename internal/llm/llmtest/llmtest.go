// Package llmtest is a loopback server speaking the OpenAI chat
// completions protocol (plain and SSE streamed) and /v1/models, answering
// each request with the next scripted Reply: valid or malformed JSON,
// answers that break the schema, streams cut mid-way, 429s with
// Retry-After, 500s, slow answers, and a server that refuses json_schema.
package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Reply is one scripted answer.
type Reply struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Content is the assistant message's content.
	Content string
	// RawBody replaces the whole response body (an error body, a body
	// that is no chat completion, or a hand-written SSE stream).
	RawBody string
	Header  map[string]string
	// FinishReason defaults to "stop".
	FinishReason string
	// NoUsage leaves usage out, as some llama.cpp builds do; otherwise
	// tokens are counted as words.
	NoUsage bool
	// Bare leaves out id, object, created and model.
	Bare bool
	// Delay holds the answer back (or, streamed, each chunk).
	Delay time.Duration
	// ChunkSize is the content bytes per streamed chunk; 0 means 8.
	ChunkSize int
	// CutAfter drops the connection once this many content bytes were
	// streamed, without finishing the stream.
	CutAfter int
	// NoDone ends a stream after its finishing chunk without data: [DONE].
	NoDone bool
}

// Request is one request the server received.
type Request struct {
	Header http.Header
	Body   map[string]any
	// Format is response_format.type ("" when absent).
	Format string
	Stream bool
	// Messages are the request's messages as role and content.
	Messages []Message
}

// Message is one chat message of a request.
type Message struct {
	Role, Content string
}

// Server is the loopback server.
type Server struct {
	// URL is the base URL, ending in /v1.
	URL   string
	Model string
	// APIKey, when set, is required as the bearer token.
	APIKey string

	srv              *httptest.Server
	mu               sync.Mutex
	script           []Reply
	fallback         *Reply
	rejectJSONSchema bool
	requests         []Request
	inFlight, peak   int
	forget           bool
}

// New starts a server that t closes at its end.
func New(t testing.TB) *Server {
	s := &Server{Model: "llmtest-model"}
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.srv.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Script queues replies, answered in order.
func (s *Server) Script(replies ...Reply) {
	s.mu.Lock()
	s.script = append(s.script, replies...)
	s.mu.Unlock()
}

// Always answers every request the script does not cover with r.
func (s *Server) Always(r Reply) {
	s.mu.Lock()
	s.fallback = &r
	s.mu.Unlock()
}

// RejectJSONSchema makes the server answer 400 to any request whose
// response_format is json_schema, as servers without structured output do.
func (s *Server) RejectJSONSchema() {
	s.mu.Lock()
	s.rejectJSONSchema = true
	s.mu.Unlock()
}

// ForgetRequests stops recording requests, so a benchmark's many calls
// do not pile up in memory.
func (s *Server) ForgetRequests() {
	s.mu.Lock()
	s.forget = true
	s.requests = nil
	s.mu.Unlock()
}

// Requests are the chat requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Pending is how many scripted replies are left.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.APIKey {
		writeError(w, http.StatusUnauthorized, "invalid api key")
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/models":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"object":"list","data":[{"id":%q,"object":"model","created":0,"owned_by":"llmtest"}]}`, s.Model)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/chat/completions":
		s.chat(w, r)
	default:
		writeError(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": status}})
	w.Write(b)
}

// MaxInFlight is the most chat requests the server handled at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.inFlight++
	s.peak = max(s.peak, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "body is not JSON: "+err.Error())
		return
	}
	req := Request{Header: r.Header.Clone(), Body: body}
	req.Stream, _ = body["stream"].(bool)
	if rf, ok := body["response_format"].(map[string]any); ok {
		req.Format, _ = rf["type"].(string)
	}
	msgs, _ := body["messages"].([]any)
	promptWords := 0
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		role, _ := mm["role"].(string)
		content, _ := mm["content"].(string)
		req.Messages = append(req.Messages, Message{role, content})
		promptWords += len(strings.Fields(content))
	}
	s.mu.Lock()
	if !s.forget {
		s.requests = append(s.requests, req)
	}
	reject := s.rejectJSONSchema && req.Format == "json_schema"
	var reply Reply
	var ok bool
	if !reject {
		if len(s.script) > 0 {
			reply, s.script, ok = s.script[0], s.script[1:], true
		} else if s.fallback != nil {
			reply, ok = *s.fallback, true
		}
	}
	s.mu.Unlock()
	if reject {
		writeError(w, http.StatusBadRequest, "response_format type json_schema is not supported")
		return
	}
	if !ok {
		writeError(w, http.StatusInternalServerError, "llmtest: no scripted reply left")
		return
	}
	if !wait(r, reply.Delay) {
		return
	}
	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	if reply.Status != 0 && reply.Status != http.StatusOK {
		if reply.RawBody != "" {
			w.WriteHeader(reply.Status)
			w.Write([]byte(reply.RawBody))
			return
		}
		writeError(w, reply.Status, fmt.Sprintf("scripted %d", reply.Status))
		return
	}
	finish := reply.FinishReason
	if finish == "" {
		finish = "stop"
	}
	usage := map[string]any{
		"prompt_tokens":     promptWords,
		"completion_tokens": len(strings.Fields(reply.Content)),
		"total_tokens":      promptWords + len(strings.Fields(reply.Content)),
	}
	if req.Stream {
		s.stream(w, r, reply, finish, usage, body)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if reply.RawBody != "" {
		w.Write([]byte(reply.RawBody))
		return
	}
	resp := map[string]any{
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": reply.Content},
			"finish_reason": finish,
		}},
	}
	if !reply.Bare {
		resp["id"], resp["object"], resp["created"], resp["model"] = "chatcmpl-llmtest", "chat.completion", time.Now().Unix(), s.Model
	}
	if !reply.NoUsage {
		resp["usage"] = usage
	}
	json.NewEncoder(w).Encode(resp)
}

func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request, reply Reply, finish string, usage map[string]any, body map[string]any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/event-stream")
	}
	w.Header().Set("Cache-Control", "no-cache")
	fl := w.(http.Flusher)
	if reply.RawBody != "" {
		w.Write([]byte(reply.RawBody))
		return
	}
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		c := map[string]any{"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
		if !reply.Bare {
			c["id"], c["object"], c["model"] = "chatcmpl-llmtest", "chat.completion.chunk", s.Model
		}
		return c
	}
	// A comment line, as some servers send to keep the connection open.
	fmt.Fprint(w, ": keep-alive\n\n")
	send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	size := reply.ChunkSize
	if size <= 0 {
		size = 8
	}
	sent := 0
	for content := reply.Content; content != ""; {
		n := min(size, len(content))
		send(chunk(map[string]any{"content": content[:n]}, nil))
		content = content[n:]
		sent += n
		if reply.CutAfter > 0 && sent >= reply.CutAfter {
			// Drop the connection mid-stream, as a crashed server would.
			panic(http.ErrAbortHandler)
		}
		if !wait(r, reply.Delay) {
			return
		}
	}
	send(chunk(map[string]any{}, finish))
	if so, _ := body["stream_options"].(map[string]any); so["include_usage"] == true && !reply.NoUsage {
		c := map[string]any{"choices": []any{}, "usage": usage}
		send(c)
	}
	if !reply.NoDone {
		fmt.Fprint(w, "data: [DONE]\n\n")
		fl.Flush()
	}
}
