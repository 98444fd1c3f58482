package llm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/tracing"
)

// Config is how to reach one OpenAI-compatible server.
type Config struct {
	// BaseURL is the server's API root, e.g. http://127.0.0.1:11434/v1;
	// a URL without a path gets /v1. Its host is the only one called.
	BaseURL string
	Model   string
	// APIKey is sent as a bearer token when set. It never appears in
	// errors or in the output of String.
	APIKey string
	// RequestTimeout bounds one HTTP attempt; for a streamed answer it is
	// the longest silence between two chunks, so long outputs can run on.
	RequestTimeout time.Duration
	// TotalTimeout bounds one Complete call, retries and the repair
	// attempt included.
	TotalTimeout time.Duration
	// Concurrency is how many requests may be in flight at once; callers
	// beyond it wait (cancellably) for a slot.
	Concurrency int
	// MaxRetries is how many times a failed attempt (429, 5xx, timeout,
	// broken connection) is tried again; negative means none.
	MaxRetries int
	// Metrics counts requests, their time and tokens; nil counts nothing.
	Metrics *metrics.Metrics
	// DialContext, when set, makes the connections (outbound.Guard's, so
	// that only the configured host is reached).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Spent, when set, is told the tokens of every answered call (chat
	// or embeddings, estimated where the server reports none) made for a
	// campaign, with the call's context: the campaigns' AI budgets count
	// them. It runs before the call returns, so that the next request's
	// budget check sees it.
	Spent func(ctx context.Context, campaign string, u Usage)
}

// String describes the configuration without the API key.
func (c Config) String() string {
	key := "none"
	if c.APIKey != "" {
		key = "set"
	}
	return fmt.Sprintf("llm.Config{BaseURL: %s, Model: %s, APIKey: %s, RequestTimeout: %v, TotalTimeout: %v, Concurrency: %d, MaxRetries: %d}",
		c.BaseURL, c.Model, key, c.RequestTimeout, c.TotalTimeout, c.Concurrency, c.MaxRetries)
}

// Defaults fill the settings a Config leaves at zero.
const (
	DefaultRequestTimeout = 2 * time.Minute
	DefaultTotalTimeout   = 5 * time.Minute
	DefaultConcurrency    = 2
	DefaultMaxRetries     = 3
)

// Errors a caller may want to tell apart.
var (
	// ErrForeignHost is a redirect away from the configured host.
	ErrForeignHost = errors.New("llm: the server redirected to another host")
	// ErrTimeout is an attempt that took longer than RequestTimeout.
	ErrTimeout = errors.New("llm: the server did not answer in time")
	// ErrStreamCut is a streamed answer that ended before it was done.
	ErrStreamCut = errors.New("llm: the answer stream ended before it was complete")
)

// APIError is an error status from the server, or an error event in an
// answer stream (Status 0).
type APIError struct {
	Status  int
	Message string
	// RetryAfter is the wait the server asked for (Retry-After), if any.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	if e.Status == 0 {
		return "llm: the server reported an error in the answer stream: " + e.Message
	}
	return fmt.Sprintf("llm: server answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Message)
}

// Usage counts tokens. Estimated is set when a server did not report
// usage and the counts are estimates from the text.
type Usage struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
	Calls            int64 `json:"calls"`
	Estimated        bool  `json:"estimated,omitempty"`
}

// Total is prompt plus completion tokens.
func (u Usage) Total() int64 { return u.PromptTokens + u.CompletionTokens }

func (u *Usage) add(o Usage) {
	u.PromptTokens += o.PromptTokens
	u.CompletionTokens += o.CompletionTokens
	u.Calls += o.Calls
	u.Estimated = u.Estimated || o.Estimated
}

// Client calls one OpenAI-compatible server. It is safe for concurrent use.
type Client struct {
	cfg       Config
	base      *url.URL
	chatURL   string
	modelsURL string
	http      *http.Client
	sem       chan struct{}
	// noJSONSchema is set once the server refused a json_schema response
	// format and accepted json_object instead.
	noJSONSchema atomic.Bool

	mu    sync.Mutex
	usage map[string]Usage

	// sleep waits between retries; tests replace it to see the waits.
	sleep       func(context.Context, time.Duration) error
	backoffBase time.Duration
}

// New checks the configuration and makes a client.
func New(cfg Config) (*Client, error) {
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.TotalTimeout == 0 {
		cfg.TotalTimeout = DefaultTotalTimeout
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("llm: base URL must be an http:// or https:// URL, got %q", cfg.BaseURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("llm: base URL must have no user, query or fragment")
	}
	if strings.Trim(u.Path, "/") == "" {
		u.Path = "/v1"
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("llm: a model name is needed")
	}
	if cfg.RequestTimeout < 0 || cfg.TotalTimeout < 0 || cfg.Concurrency < 0 {
		return nil, errors.New("llm: timeouts and concurrency must be positive")
	}
	c := &Client{
		cfg:         cfg,
		base:        u,
		chatURL:     u.String() + "/chat/completions",
		modelsURL:   u.String() + "/models",
		sem:         make(chan struct{}, cfg.Concurrency),
		usage:       map[string]Usage{},
		sleep:       sleepCtx,
		backoffBase: 500 * time.Millisecond,
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// No proxy from the environment: the configured host is the only one
	// this client talks to.
	tr.Proxy = nil
	tr.MaxIdleConnsPerHost = cfg.Concurrency + 2
	if cfg.DialContext != nil {
		tr.DialContext = cfg.DialContext
	}
	c.http = &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != c.base.Scheme || req.URL.Host != c.base.Host {
				return fmt.Errorf("%w (%s)", ErrForeignHost, req.URL.Host)
			}
			if len(via) >= 3 {
				return errors.New("llm: too many redirects")
			}
			return nil
		},
	}
	return c, nil
}

// Model is the configured model name.
func (c *Client) Model() string { return c.cfg.Model }

// Usage is the token usage of a campaign so far ("" collects calls made
// for no campaign).
func (c *Client) Usage(campaign string) Usage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.usage[campaign]
}

// UsageByCampaign is a copy of the usage totals of every campaign.
func (c *Client) UsageByCampaign() map[string]Usage {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]Usage, len(c.usage))
	for k, v := range c.usage {
		out[k] = v
	}
	return out
}

func (c *Client) record(ctx context.Context, campaign string, u Usage) {
	c.mu.Lock()
	t := c.usage[campaign]
	t.add(u)
	c.usage[campaign] = t
	c.mu.Unlock()
	if c.cfg.Spent != nil && campaign != "" {
		c.cfg.Spent(ctx, campaign, u)
	}
}

// Models lists the models the server offers (GET /models), which also
// checks that the server is reachable and accepts the key.
func (c *Client) Models(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.modelsURL, nil)
	if err != nil {
		return nil, err
	}
	c.authorize(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, apiError(resp)
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&list); err != nil {
		return nil, fmt.Errorf("llm: reading the model list: %w", err)
	}
	ids := make([]string, 0, len(list.Data))
	for _, m := range list.Data {
		ids = append(ids, m.ID)
	}
	return ids, nil
}

func (c *Client) authorize(req *http.Request) {
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model    string    `json:"model"`
	Messages []message `json:"messages"`
	// Temperature and top_p are always sent: Ollama's compatibility layer
	// uses 1.0 for both when they are missing, not the model's default.
	Temperature    float64         `json:"temperature"`
	TopP           float64         `json:"top_p"`
	MaxTokens      int             `json:"max_tokens,omitempty"`
	Seed           *int64          `json:"seed,omitempty"`
	Stream         bool            `json:"stream,omitempty"`
	StreamOptions  *streamOptions  `json:"stream_options,omitempty"`
	ResponseFormat *responseFormat `json:"response_format,omitempty"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type responseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *jsonSchema `json:"json_schema,omitempty"`
}

type jsonSchema struct {
	Name   string          `json:"name"`
	Schema json.RawMessage `json:"schema"`
	Strict bool            `json:"strict"`
}

type usageJSON struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
}

// chatResponse reads only what the client uses, so servers that leave
// out id, object, created or usage (llama.cpp builds do) still work.
type chatResponse struct {
	Choices []struct {
		Message struct {
			Content json.RawMessage `json:"content"`
		} `json:"message"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usageJSON `json:"usage"`
}

type chunk struct {
	Choices []struct {
		Delta struct {
			Content *string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usageJSON     `json:"usage"`
	Error *errorEnvelope `json:"error"`
}

type errorEnvelope struct {
	Message string `json:"message"`
}

// answer is one completed chat call.
type answer struct {
	content string
	finish  string
	usage   Usage
}

type progressFunc func(received, expected int)

// chat sends one chat request, trying again after retryable failures
// until MaxRetries or the context's deadline.
func (c *Client) chat(ctx context.Context, req *chatRequest, campaign string, progress progressFunc, expected int) (a answer, err error) {
	start := time.Now()
	ctx, span := tracing.Start(ctx, "llm.chat", attribute.String("gen_ai.request.model", c.cfg.Model), attribute.Bool("llm.stream", req.Stream))
	defer func() {
		c.cfg.Metrics.LLMRequest(c.cfg.Model, time.Since(start), a.usage.PromptTokens, a.usage.CompletionTokens, err)
		if err == nil {
			span.SetAttributes(attribute.Int64("gen_ai.usage.input_tokens", a.usage.PromptTokens),
				attribute.Int64("gen_ai.usage.output_tokens", a.usage.CompletionTokens))
		}
		tracing.End(span, err)
	}()
	return c.chatRetrying(ctx, req, campaign, progress, expected)
}

// chatRetrying sends req, trying again after a failure that may pass.
func (c *Client) chatRetrying(ctx context.Context, req *chatRequest, campaign string, progress progressFunc, expected int) (answer, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return answer{}, err
	}
	for attempt := 0; ; attempt++ {
		a, err := c.attempt(ctx, body, req.Stream, progress, expected)
		if err == nil {
			if a.usage.PromptTokens == 0 && a.usage.CompletionTokens == 0 {
				a.usage = estimateUsage(req.Messages, a.content)
			}
			a.usage.Calls = 1
			c.record(ctx, campaign, a.usage)
			return a, nil
		}
		if ctx.Err() != nil {
			return answer{}, fmt.Errorf("llm: %w (last attempt: %v)", context.Cause(ctx), err)
		}
		if !retryable(err) || attempt >= c.cfg.MaxRetries {
			return answer{}, err
		}
		wait := c.backoff(attempt, err)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return answer{}, fmt.Errorf("%w (the next try, in %v, would pass the deadline)", err, wait.Round(time.Millisecond))
		}
		if err := c.sleep(ctx, wait); err != nil {
			return answer{}, err
		}
	}
}

func estimateUsage(msgs []message, content string) Usage {
	u := Usage{Estimated: true, CompletionTokens: int64(EstimateTokens(content))}
	for _, m := range msgs {
		u.PromptTokens += int64(EstimateTokens(m.Content)) + 4
	}
	return u
}

func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusRequestTimeout || ae.Status == http.StatusTooManyRequests || ae.Status >= 500
	}
	if errors.Is(err, ErrForeignHost) {
		return false
	}
	var ce *connError
	return errors.Is(err, ErrTimeout) || errors.Is(err, ErrStreamCut) || errors.As(err, &ce)
}

// backoff is the wait before try attempt+2: what the server asked for,
// or an exponential wait with jitter.
func (c *Client) backoff(attempt int, err error) time.Duration {
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		return ae.RetryAfter
	}
	d := c.backoffBase << min(attempt, 6)
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// connError is a failure of the connection rather than an answer.
type connError struct{ err error }

func (e *connError) Error() string { return "llm: connection failed: " + e.err.Error() }
func (e *connError) Unwrap() error { return e.err }

var errAttemptTimeout = errors.New("attempt timed out")

func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("llm: waiting for a free request slot: %w", context.Cause(ctx))
	}
}

func (c *Client) release() { <-c.sem }

func (c *Client) attempt(ctx context.Context, body []byte, stream bool, progress progressFunc, expected int) (answer, error) {
	if err := c.acquire(ctx); err != nil {
		return answer{}, err
	}
	defer c.release()
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(c.cfg.RequestTimeout, func() { cancel(errAttemptTimeout) })
	defer timer.Stop()

	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.chatURL, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if stream {
		req.Header.Set("Accept", "text/event-stream")
	} else {
		req.Header.Set("Accept", "application/json")
	}
	c.authorize(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, c.transportError(actx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return answer{}, apiError(resp)
	}
	var a answer
	if stream && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		a, err = readStream(resp.Body, func() { timer.Reset(c.cfg.RequestTimeout) }, progress, expected)
	} else {
		// A server that ignores stream: true answers in one piece.
		a, err = readAnswer(resp.Body)
	}
	if err != nil {
		if actx.Err() != nil {
			return answer{}, c.transportError(actx, err)
		}
		return answer{}, err
	}
	return a, nil
}

// transportError names a failed request: a timeout, a refused redirect or
// a broken connection.
func (c *Client) transportError(ctx context.Context, err error) error {
	if errors.Is(err, ErrForeignHost) {
		return ErrForeignHost
	}
	if errors.Is(context.Cause(ctx), errAttemptTimeout) {
		return fmt.Errorf("%w (%v per request)", ErrTimeout, c.cfg.RequestTimeout)
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error repeats the URL; the cause is enough.
		err = ue.Err
	}
	return &connError{err}
}

func apiError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &APIError{Status: resp.StatusCode, Message: errorMessage(raw)}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if s, err := strconv.ParseFloat(ra, 64); err == nil && s >= 0 {
			// A day is past any deadline; the cap keeps huge values from
			// overflowing into a negative wait.
			e.RetryAfter = time.Duration(min(s, 86400) * float64(time.Second))
		} else if t, err := http.ParseTime(ra); err == nil {
			e.RetryAfter = max(time.Until(t), 0)
		}
	}
	return e
}

// errorMessage finds the message in the error bodies servers send:
// OpenAI's {"error": {"message"}}, {"error": "text"}, FastAPI's
// {"detail": …}, or plain text.
func errorMessage(raw []byte) string {
	var body struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(raw, &body) == nil {
		var env errorEnvelope
		var s string
		switch {
		case json.Unmarshal(body.Error, &env) == nil && env.Message != "":
			return env.Message
		case json.Unmarshal(body.Error, &s) == nil && s != "":
			return s
		case body.Message != "":
			return body.Message
		case len(body.Detail) > 0:
			if json.Unmarshal(body.Detail, &s) == nil {
				return s
			}
			return clip(string(body.Detail), 300)
		}
	}
	return clip(strings.TrimSpace(string(raw)), 300)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

func readAnswer(r io.Reader) (answer, error) {
	raw, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return answer{}, &connError{err}
	}
	var resp chatResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return answer{}, fmt.Errorf("llm: the server's answer is not a chat completion: %v", err)
	}
	if len(resp.Choices) == 0 {
		return answer{}, errors.New("llm: the server's answer has no choices")
	}
	ch := resp.Choices[0]
	var a answer
	// content is a string, or null when a reasoning model spent its
	// tokens thinking; that reads as an empty answer.
	if len(ch.Message.Content) > 0 && string(ch.Message.Content) != "null" {
		if err := json.Unmarshal(ch.Message.Content, &a.content); err != nil {
			return answer{}, errors.New("llm: the server's message content is not a string")
		}
	}
	if ch.FinishReason != nil {
		a.finish = *ch.FinishReason
	}
	if resp.Usage != nil {
		a.usage = Usage{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens}
	}
	return a, nil
}

// readStream reads SSE chat.completion.chunk events until data: [DONE].
// onEvent is called for every line so a silence timer can be reset.
func readStream(r io.Reader, onEvent func(), progress progressFunc, expected int) (answer, error) {
	br := bufio.NewReaderSize(r, 32<<10)
	var content strings.Builder
	var a answer
	// handle reads one line; done is data: [DONE].
	handle := func(line []byte) (done bool, err error) {
		data, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r\n"), []byte("data:"))
		if !ok {
			// Blank separators, comments (": ping"), event: and id: lines.
			return false, nil
		}
		data = bytes.TrimSpace(data)
		if string(data) == "[DONE]" {
			return true, nil
		}
		var ch chunk
		if err := json.Unmarshal(data, &ch); err != nil {
			return false, fmt.Errorf("%w: a chunk is not JSON: %v", ErrStreamCut, err)
		}
		if ch.Error != nil {
			return false, &APIError{Message: ch.Error.Message}
		}
		if ch.Usage != nil {
			a.usage = Usage{PromptTokens: ch.Usage.PromptTokens, CompletionTokens: ch.Usage.CompletionTokens}
		}
		if len(ch.Choices) == 0 {
			return false, nil
		}
		if d := ch.Choices[0].Delta.Content; d != nil && *d != "" {
			content.WriteString(*d)
			if progress != nil {
				progress(content.Len(), expected)
			}
		}
		if f := ch.Choices[0].FinishReason; f != nil && *f != "" {
			a.finish = *f
		}
		return false, nil
	}
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		line = append(line, part...)
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(line) > 16<<20 {
				return answer{}, errors.New("llm: a stream event is too long")
			}
			continue
		}
		eof := errors.Is(err, io.EOF)
		if err != nil && !eof {
			return answer{}, &connError{fmt.Errorf("%w (after %d characters): %v", ErrStreamCut, content.Len(), err)}
		}
		if len(line) > 0 {
			onEvent()
			done, err := handle(line)
			line = line[:0]
			if err != nil {
				return answer{}, err
			}
			if done {
				a.content = content.String()
				return a, nil
			}
		}
		if eof {
			if a.finish != "" {
				// Some servers end after the finishing chunk without
				// data: [DONE]; the answer is complete all the same.
				a.content = content.String()
				return a, nil
			}
			return answer{}, fmt.Errorf("%w (after %d characters)", ErrStreamCut, content.Len())
		}
	}
}
