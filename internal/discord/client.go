// Package discord speaks to Discord's HTTP API: it executes webhooks
// (posting embeds, waiting for the message to be saved) and lists the
// guilds of a bot. It keeps to Discord's rate limits — per-route buckets
// from the X-RateLimit-* headers, 429 answers with retry_after, the global
// limit — and retries server errors with backoff.
//
// Requests go to the configured base URL (DefaultBaseURL, or a loopback
// server in tests: see discordtest), whatever host a pasted webhook URL
// named: ParseWebhookURL keeps only its id and token.
//
// Webhook and bot tokens are credentials: they appear in no error and no
// log line of this package (a failed request names its route with the
// token left out).
package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultBaseURL is Discord's API, version 10.
const DefaultBaseURL = "https://discord.com/api/v10"

// Config is what a Client needs; every field has a default.
type Config struct {
	// BaseURL is the API's root, with its version (DefaultBaseURL).
	BaseURL string
	// BotToken authorises the bot endpoints (Guilds); empty refuses them
	// with ErrNoBotToken.
	BotToken string
	// HTTPClient defaults to one with a 30 s timeout.
	HTTPClient *http.Client
	// UserAgent is sent with every request, in the form Discord asks for.
	UserAgent string
	Logger    *slog.Logger
	// MaxWait is the longest rate-limit wait the client sits out itself
	// (30 s by default); a longer one is returned as a *RateLimitError
	// for the caller to come back later.
	MaxWait time.Duration
	// ServerErrorRetries is how many times a 5xx answer is tried again
	// (3 by default; negative: never), after Backoff(n) for the nth retry
	// (500 ms doubling by default).
	ServerErrorRetries int
	Backoff            func(retry int) time.Duration
	// Now defaults to the wall clock.
	Now func() time.Time
}

// Client calls Discord's API. It is safe for concurrent use; its rate
// limit state is shared by all callers.
type Client struct {
	cfg  Config
	base *url.URL
	mu   sync.Mutex
	// buckets maps a route key to its bucket's state.
	buckets     map[string]*bucket
	globalUntil time.Time
}

type bucket struct {
	remaining int
	resetAt   time.Time
}

// ErrNoBotToken: the bot endpoints need GMC_DISCORD_BOT_TOKEN.
var ErrNoBotToken = errors.New("discord: no bot token configured")

// ErrWebhookGone: Discord says the webhook does not exist (any more); it
// must not be used again.
var ErrWebhookGone = errors.New("discord: the webhook no longer exists")

// APIError is an answer of Discord other than success or a rate limit:
// its status and Discord's JSON error code and message.
type APIError struct {
	Route   string
	Status  int
	Code    int
	Message string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Code != 0 {
		return fmt.Sprintf("discord: %s answered %d: %s (code %d)", e.Route, e.Status, msg, e.Code)
	}
	return fmt.Sprintf("discord: %s answered %d: %s", e.Route, e.Status, msg)
}

// Is makes a webhook's 404 an ErrWebhookGone.
func (e *APIError) Is(target error) bool {
	return target == ErrWebhookGone && e.Status == http.StatusNotFound && strings.HasPrefix(e.Route, "webhooks/")
}

// RateLimitError is a rate limit longer than the client waits for.
type RateLimitError struct {
	Route      string
	RetryAfter time.Duration
	Global     bool
}

func (e *RateLimitError) Error() string {
	scope := "route " + e.Route
	if e.Global {
		scope = "global"
	}
	return fmt.Sprintf("discord: rate limited (%s); retry after %v", scope, e.RetryAfter.Round(time.Millisecond))
}

// Permanent reports whether trying the same request again cannot succeed:
// Discord refused it (4xx other than 429), or the webhook is gone.
func Permanent(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests
	}
	return errors.Is(err, ErrWebhookGone)
}

// New returns a client; a BaseURL that is not an http(s) URL is an error.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("discord: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "DiscordBot (https://github.com/gmc-project/gmc, 1)"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 30 * time.Second
	}
	if cfg.ServerErrorRetries == 0 {
		cfg.ServerErrorRetries = 3
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(n int) time.Duration { return 500 * time.Millisecond << min(n-1, 6) }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg, base: base, buckets: map[string]*bucket{}}, nil
}

// HasBotToken reports whether the bot endpoints are configured.
func (c *Client) HasBotToken() bool { return c.cfg.BotToken != "" }

// SentMessage is what Discord answers to a webhook executed with wait.
type SentMessage struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
}

// ExecuteWebhook posts msg through the webhook and waits (?wait=true) for
// Discord to confirm it saved the message, whose id it returns.
func (c *Client) ExecuteWebhook(ctx context.Context, wh WebhookRef, msg Message) (*SentMessage, error) {
	if !isSnowflake(wh.ID) || !isToken(wh.Token) {
		return nil, errors.New("discord: malformed webhook id or token")
	}
	if msg.AllowedMentions.Parse == nil {
		msg.AllowedMentions = NoMentions
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	r := request{method: http.MethodPost, route: "webhooks/" + wh.ID,
		path: "/webhooks/" + wh.ID + "/" + wh.Token, query: url.Values{"wait": {"true"}}, body: body}
	var out SentMessage
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, fmt.Errorf("discord: %s answered without a message id", r.route)
	}
	return &out, nil
}

// Guild is a guild the bot is in (Discord's partial guild object).
type Guild struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Icon        *string  `json:"icon"`
	Owner       bool     `json:"owner"`
	Permissions string   `json:"permissions"`
	Features    []string `json:"features"`
}

// guildPage is the most guilds one request returns.
const guildPage = 200

// Guilds lists every guild of the bot, in id order, paging with after.
func (c *Client) Guilds(ctx context.Context) ([]Guild, error) {
	if c.cfg.BotToken == "" {
		return nil, ErrNoBotToken
	}
	var all []Guild
	after := ""
	for {
		q := url.Values{"limit": {strconv.Itoa(guildPage)}}
		if after != "" {
			q.Set("after", after)
		}
		var page []Guild
		if err := c.do(ctx, request{method: http.MethodGet, route: "users/@me/guilds", path: "/users/@me/guilds", query: q, bot: true}, &page); err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < guildPage {
			return all, nil
		}
		after = page[len(page)-1].ID
	}
}

// request is one API call. route names it in errors, logs and the rate
// limit state, without the secret parts of its path.
type request struct {
	method, route, path string
	query               url.Values
	body                []byte
	bot                 bool
}

// rateLimitBody is Discord's 429 answer.
type rateLimitBody struct {
	Message    string  `json:"message"`
	RetryAfter float64 `json:"retry_after"`
	Global     bool    `json:"global"`
}

// maxRateLimitRetries bounds the 429s sat out for one call; Discord's
// retry_after makes more than a few in a row a sign of something wrong.
const maxRateLimitRetries = 8

func (c *Client) do(ctx context.Context, r request, out any) error {
	limited, failed := 0, 0
	for {
		if err := c.waitTurn(ctx, r.route); err != nil {
			return err
		}
		res, err := c.send(ctx, r)
		if err != nil {
			return err
		}
		raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("discord: %s: reading the answer: %w", r.route, err)
		}
		c.track(r.route, res.Header)
		switch {
		case res.StatusCode == http.StatusTooManyRequests:
			wait, global := c.limited(r.route, res.Header, raw)
			limited++
			c.cfg.Logger.WarnContext(ctx, "discord rate limit", "route", r.route, "retry_after", wait, "global", global)
			if wait > c.cfg.MaxWait || limited > maxRateLimitRetries {
				return &RateLimitError{Route: r.route, RetryAfter: wait, Global: global}
			}
		case res.StatusCode >= 500:
			failed++
			if c.cfg.ServerErrorRetries < 0 || failed > c.cfg.ServerErrorRetries {
				return apiError(r.route, res.StatusCode, raw)
			}
			d := c.cfg.Backoff(failed)
			c.cfg.Logger.WarnContext(ctx, "discord server error; retrying", "route", r.route, "status", res.StatusCode, "retry_in", d)
			if err := sleep(ctx, d); err != nil {
				return err
			}
		case res.StatusCode >= 400:
			return apiError(r.route, res.StatusCode, raw)
		default:
			if out == nil || res.StatusCode == http.StatusNoContent {
				return nil
			}
			if err := json.Unmarshal(raw, out); err != nil {
				return fmt.Errorf("discord: %s: the answer is not the JSON expected: %w", r.route, err)
			}
			return nil
		}
	}
}

func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := *c.base
	u.Path += r.path
	u.RawPath = ""
	u.RawQuery = r.query.Encode()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("discord: %s: %w", r.route, scrub(err))
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.bot {
		req.Header.Set("Authorization", "Bot "+c.cfg.BotToken)
	}
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discord: %s %s: %w", r.method, r.route, scrub(err))
	}
	return res, nil
}

// scrub drops the URL (which holds a webhook token) from a transport error.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func apiError(route string, status int, raw []byte) error {
	var body struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(raw, &body) // a body that is not Discord's JSON leaves the status alone to speak
	return &APIError{Route: route, Status: status, Code: body.Code, Message: body.Message}
}

// waitTurn sits out the global limit and the route's exhausted bucket.
func (c *Client) waitTurn(ctx context.Context, route string) error {
	for {
		c.mu.Lock()
		now := c.cfg.Now()
		until := c.globalUntil
		if b := c.buckets[route]; b != nil && b.remaining <= 0 && b.resetAt.After(until) {
			until = b.resetAt
		}
		c.mu.Unlock()
		if !until.After(now) {
			return nil
		}
		if err := sleep(ctx, until.Sub(now)); err != nil {
			return err
		}
	}
}

// track records the route's bucket from an answer's X-RateLimit-* headers.
func (c *Client) track(route string, h http.Header) {
	remaining, err1 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	after, err2 := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64)
	if err1 != nil || err2 != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.bucketOf(route)
	b.remaining, b.resetAt = remaining, c.cfg.Now().Add(seconds(after))
}

// limited records a 429 and returns how long to wait and whether the
// limit is global.
func (c *Client) limited(route string, h http.Header, raw []byte) (time.Duration, bool) {
	var body rateLimitBody
	_ = json.Unmarshal(raw, &body)
	wait := seconds(body.RetryAfter)
	if wait <= 0 {
		// Without a body, the Retry-After header (whole seconds).
		if s, err := strconv.ParseFloat(h.Get("Retry-After"), 64); err == nil {
			wait = seconds(s)
		} else {
			wait = time.Second
		}
	}
	global := body.Global || strings.EqualFold(h.Get("X-RateLimit-Global"), "true")
	c.mu.Lock()
	defer c.mu.Unlock()
	until := c.cfg.Now().Add(wait)
	if global {
		if until.After(c.globalUntil) {
			c.globalUntil = until
		}
	} else {
		b := c.bucketOf(route)
		b.remaining, b.resetAt = 0, until
	}
	return wait, global
}

// bucketOf returns the route's bucket. Routes are keyed per webhook (or
// per bot endpoint), as Discord keys its per-route limits, so the
// X-RateLimit-Bucket id adds nothing here. c.mu is held.
func (c *Client) bucketOf(route string) *bucket {
	b := c.buckets[route]
	if b == nil {
		b = &bucket{remaining: 1}
		c.buckets[route] = b
	}
	return b
}

func seconds(s float64) time.Duration {
	if s <= 0 || math.IsNaN(s) {
		return 0
	}
	return time.Duration(math.Ceil(s * float64(time.Second)))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
