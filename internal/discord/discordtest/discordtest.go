// Package discordtest is a loopback server that speaks Discord's HTTP API
// as far as gmc uses it (Execute Webhook, Get Current User Guilds) with
// its rate limits and errors, and that records every way a client breaks
// the protocol: a request without the User-Agent Discord asks for, a
// webhook executed without ?wait=true, a message that could ping someone
// (allowed_mentions other than {"parse": []}), embeds over Discord's
// limits, and a request sent while a bucket is exhausted or before a
// 429's retry_after has passed.
//
// The limits here are written out again from Discord's documentation
// rather than taken from package discord, so that a mistake there is
// caught here.
package discordtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Fault makes the server answer one request badly.
type Fault struct {
	// Status and Code/Message: an error answer (Discord's JSON error body).
	Status  int
	Code    int
	Message string
	// RetryAfter > 0: a 429 with this retry_after (seconds); Global makes
	// it the global limit, which holds every route back.
	RetryAfter float64
	Global     bool
	// Drop closes the connection without an answer.
	Drop bool
}

// Posted is a message a webhook saved.
type Posted struct {
	WebhookID string
	ID        string
	Message   Message
}

// Message is what the server read of an Execute Webhook body.
type Message struct {
	Content         string           `json:"content"`
	Embeds          []Embed          `json:"embeds"`
	AllowedMentions *AllowedMentions `json:"allowed_mentions"`
}

// AllowedMentions is a message's allowed_mentions.
type AllowedMentions struct {
	Parse *[]string `json:"parse"`
	Users []string  `json:"users"`
	Roles []string  `json:"roles"`
}

// Embed is one embed of a message.
type Embed struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
	Fields []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
}

// Guild is a guild the bot is in.
type Guild struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Icon        any    `json:"icon"`
	Owner       bool   `json:"owner"`
	Permissions string `json:"permissions"`
	Features    []any  `json:"features"`
}

// Server is the loopback Discord. Its zero bucket settings allow 5
// requests per webhook per 100 ms.
type Server struct {
	*httptest.Server
	// URL is the API base to configure clients with (…/api/v10).
	URL string

	mu       sync.Mutex
	webhooks map[string]string // id → token
	botToken string
	guilds   []Guild
	posted   []Posted
	nextID   int64
	// executes counts Execute Webhook requests, faults are keyed by it.
	executes int
	faults   map[int]Fault
	// buckets: per webhook, requests left and when the window resets;
	// held: when a 429's retry_after ends, per route and global.
	bucketSize   int
	bucketWindow time.Duration
	buckets      map[string]*bucket
	held         map[string]time.Time
	problems     []string
}

type bucket struct {
	remaining int
	resetAt   time.Time
}

// New starts a server, closed when t ends; t's end also fails the test
// for every protocol problem the server saw.
func New(t testing.TB) *Server {
	s := &Server{webhooks: map[string]string{}, faults: map[int]Fault{}, buckets: map[string]*bucket{},
		held: map[string]time.Time{}, nextID: 1_200_000_000_000_000_000, bucketSize: 5, bucketWindow: 100 * time.Millisecond}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v10/webhooks/{id}/{token}", s.execute)
	mux.HandleFunc("GET /api/v10/users/@me/guilds", s.listGuilds)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.problem("unexpected request %s %s", r.Method, r.URL.Path)
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
	})
	s.Server = httptest.NewServer(mux)
	s.URL = s.Server.URL + "/api/v10"
	t.Cleanup(func() {
		s.Close()
		for _, p := range s.Problems() {
			t.Errorf("discordtest: %s", p)
		}
	})
	return s
}

// AddWebhook makes a webhook exist.
func (s *Server) AddWebhook(id, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhooks[id] = token
}

// DeleteWebhook makes a webhook gone (404 Unknown Webhook).
func (s *Server) DeleteWebhook(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.webhooks, id)
}

// SetBot sets the bot's token and guilds.
func (s *Server) SetBot(token string, guilds []Guild) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botToken, s.guilds = token, guilds
	slices.SortFunc(s.guilds, func(a, b Guild) int { return cmpSnowflake(a.ID, b.ID) })
}

// SetBucket changes how many webhook requests a window allows.
func (s *Server) SetBucket(size int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucketSize, s.bucketWindow = size, window
}

// FailExecute makes the nth Execute Webhook request (from 1, counted
// over all webhooks) answer with f instead.
func (s *Server) FailExecute(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[n] = f
}

// Posted returns the messages saved so far, in order.
func (s *Server) Posted() []Posted {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.posted)
}

// Executes is how many Execute Webhook requests arrived.
func (s *Server) Executes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.executes
}

// Problems lists the protocol problems seen so far.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.problems)
}

func (s *Server) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

func (s *Server) execute(w http.ResponseWriter, r *http.Request) {
	id, token := r.PathValue("id"), r.PathValue("token")
	route := "webhooks/" + id
	s.checkCommon(r, route)
	if r.Header.Get("Authorization") != "" {
		s.problem("%s: executing a webhook needs no Authorization header", route)
	}
	if w := r.URL.Query().Get("wait"); w != "true" && w != "1" {
		s.problem("%s: executed without ?wait=true: Discord would not say whether the message was saved", route)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		s.problem("%s: Content-Type %q, want application/json", route, r.Header.Get("Content-Type"))
	}
	s.mu.Lock()
	s.executes++
	f, faulty := s.faults[s.executes]
	known, ok := s.webhooks[id]
	s.mu.Unlock()
	if faulty && s.fault(w, route, f) {
		return
	}
	if !s.take(w, route) {
		return
	}
	if !ok {
		writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
		return
	}
	if token != known {
		writeError(w, http.StatusUnauthorized, 50027, "Invalid Webhook Token")
		return
	}
	var msg Message
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	if errs := checkMessage(msg); len(errs) > 0 {
		s.problem("%s: %s", route, strings.Join(errs, "; "))
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	s.mu.Lock()
	s.nextID++
	p := Posted{WebhookID: id, ID: strconv.FormatInt(s.nextID, 10), Message: msg}
	s.posted = append(s.posted, p)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": p.ID, "type": 0, "channel_id": "1100000000000000001", "webhook_id": id,
		"content": msg.Content, "embeds": msg.Embeds, "mentions": []any{}, "mention_roles": []any{}})
}

// fault answers with f; false when f lets the request through.
func (s *Server) fault(w http.ResponseWriter, route string, f Fault) bool {
	switch {
	case f.Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		writeError(w, http.StatusBadGateway, 0, "connection dropped")
	case f.RetryAfter > 0:
		s.mu.Lock()
		key := route
		if f.Global {
			key = "global"
		}
		s.held[key] = time.Now().Add(secs(f.RetryAfter))
		s.mu.Unlock()
		writeRateLimit(w, f.RetryAfter, f.Global)
	case f.Status != 0:
		writeError(w, f.Status, f.Code, f.Message)
	default:
		return false
	}
	return true
}

// checkCommon checks what every request must have, and that it does not
// come while a 429 it was given still holds.
func (s *Server) checkCommon(r *http.Request, route string) {
	if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "DiscordBot (") {
		s.problem("%s: User-Agent %q, want DiscordBot ($url, $version)", route, ua)
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if until, ok := s.held["global"]; ok && now.Before(until) {
		s.problems = append(s.problems, fmt.Sprintf("%s: request %v before the global retry_after ended", route, until.Sub(now)))
	}
	if until, ok := s.held[route]; ok && now.Before(until) {
		s.problems = append(s.problems, fmt.Sprintf("%s: request %v before its retry_after ended", route, until.Sub(now)))
	}
}

// take spends one request of the route's bucket and sets the rate limit
// headers; an exhausted bucket answers 429 (a client that reads
// X-RateLimit-Remaining never sees it).
func (s *Server) take(w http.ResponseWriter, route string) bool {
	now := time.Now()
	s.mu.Lock()
	b := s.buckets[route]
	if b == nil || !now.Before(b.resetAt) {
		b = &bucket{remaining: s.bucketSize, resetAt: now.Add(s.bucketWindow)}
		s.buckets[route] = b
	}
	h := w.Header()
	// Rounded up to the millisecond, so that a client that waits what it
	// is told never comes back before the reset.
	after := math.Ceil(float64(b.resetAt.Sub(now))/float64(time.Millisecond)) / 1000
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.bucketSize))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(b.resetAt.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(after, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", "b"+strconv.Itoa(len(route)))
	if b.remaining <= 0 {
		s.problems = append(s.problems, fmt.Sprintf("%s: request with X-RateLimit-Remaining 0 before the reset", route))
		s.held[route] = b.resetAt
		s.mu.Unlock()
		h.Set("X-RateLimit-Remaining", "0")
		writeRateLimit(w, after, false)
		return false
	}
	b.remaining--
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.remaining))
	s.mu.Unlock()
	return true
}

func (s *Server) listGuilds(w http.ResponseWriter, r *http.Request) {
	route := "users/@me/guilds"
	s.checkCommon(r, route)
	s.mu.Lock()
	bot, guilds := s.botToken, slices.Clone(s.guilds)
	s.mu.Unlock()
	if bot == "" || r.Header.Get("Authorization") != "Bot "+bot {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	limit := 200
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			s.problem("%s: limit %q, want 1 to 200", route, v)
			writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
			return
		}
		limit = n
	}
	after := r.URL.Query().Get("after")
	out := []Guild{}
	for _, g := range guilds {
		if (after == "" || cmpSnowflake(g.ID, after) > 0) && len(out) < limit {
			out = append(out, g)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// checkMessage lists what Discord would refuse in msg, and a message
// that could ping anyone.
func checkMessage(m Message) []string {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	am := m.AllowedMentions
	if am == nil || am.Parse == nil || len(*am.Parse) > 0 || len(am.Users) > 0 || len(am.Roles) > 0 {
		add(`allowed_mentions must be {"parse": []}: the webhook's default pings the users the text names`)
	}
	if strings.TrimSpace(m.Content) == "" && len(m.Embeds) == 0 {
		add("a message needs content or embeds")
	}
	if n := count(m.Content); n > 2000 {
		add("content has %d characters, over 2000", n)
	}
	if len(m.Embeds) > 10 {
		add("%d embeds, over 10", len(m.Embeds))
	}
	total := 0
	for i, e := range m.Embeds {
		over := func(what string, n, max int) {
			total += n
			if n > max {
				add("embeds[%d].%s has %d characters, over %d", i, what, n, max)
			}
		}
		over("title", count(e.Title), 256)
		over("description", count(e.Description), 4096)
		if e.Footer != nil {
			over("footer.text", count(e.Footer.Text), 2048)
		}
		if e.Author != nil {
			over("author.name", count(e.Author.Name), 256)
		}
		if len(e.Fields) > 25 {
			add("embeds[%d] has %d fields, over 25", i, len(e.Fields))
		}
		for j, f := range e.Fields {
			if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "" {
				add("embeds[%d].fields[%d] needs a name and a value", i, j)
			}
			over(fmt.Sprintf("fields[%d].name", j), count(f.Name), 256)
			over(fmt.Sprintf("fields[%d].value", j), count(f.Value), 1024)
		}
	}
	if total > 6000 {
		add("the embeds have %d characters together, over 6000", total)
	}
	return errs
}

// count is Discord's length: characters after trimming whitespace.
func count(s string) int { return utf8.RuneCountInString(strings.TrimSpace(s)) }

func cmpSnowflake(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func writeRateLimit(w http.ResponseWriter, retryAfter float64, global bool) {
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter))))
	if global {
		h.Set("X-RateLimit-Global", "true")
		h.Set("X-RateLimit-Scope", "global")
	} else {
		h.Set("X-RateLimit-Scope", "user")
	}
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": retryAfter, "global": global})
}

func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"message": message, "code": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
