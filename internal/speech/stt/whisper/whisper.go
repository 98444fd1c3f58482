// Package whisper is a speech-to-text client of any OpenAI-compatible
// POST /v1/audio/transcriptions server: OpenAI itself, vLLM, speaches
// (faster-whisper) or whisper.cpp's whisper-server started with
// --inference-path /v1/audio/transcriptions. It sends each utterance as a
// 16 kHz mono 16-bit WAV file and asks for verbose_json with segment and
// word times; the campaign's names go in the prompt.
package whisper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gmc-project/gmc/internal/speech"
)

// Defaults for the zero values of Config.
const (
	DefaultModel      = "whisper-1"
	DefaultTimeout    = 2 * time.Minute
	DefaultMaxRetries = 3
	// maxPrompt bounds the prompt: Whisper reads at most 224 tokens of it,
	// and a few hundred characters of names are about that.
	maxPrompt = 600
	// maxAnswer bounds how much of an answer is read.
	maxAnswer = 8 << 20
)

// Config says which server to use and how.
type Config struct {
	// URL is the server's base URL ("http://127.0.0.1:8000"), to which
	// /v1/audio/transcriptions is added, or, when it has a path of its
	// own, the full endpoint ("http://127.0.0.1:8080/inference").
	URL string
	// Model is the form's model field; DefaultModel when empty.
	Model string
	// APIKey, when set, is sent as a bearer token. It is never logged.
	APIKey string
	// Language is the ISO 639-1 code used when Hints.Language is empty;
	// empty lets the server detect it.
	Language string
	// Timeout bounds one request; DefaultTimeout when 0.
	Timeout time.Duration
	// MaxRetries is how many times an answer of 429 or 5xx, or a failed
	// connection, is retried; DefaultMaxRetries when 0, none when < 0.
	MaxRetries int
	// Backoff is the wait before the first retry, doubled for each next
	// one unless the server says Retry-After; 500 ms when 0.
	Backoff time.Duration
	// Client sends the requests; http.DefaultClient when nil.
	Client *http.Client
	// Logger gets one line per retried attempt; discarded when nil.
	Logger *slog.Logger
}

// Recognizer transcribes utterances on a Whisper server. It is safe for
// concurrent use.
type Recognizer struct {
	cfg      Config
	endpoint string
}

// New checks cfg and returns a Recognizer. It does not contact the server.
func New(cfg Config) (*Recognizer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("whisper: URL must be an http or https URL with a host")
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/audio/transcriptions"
	}
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.Client == nil {
		cfg.Client = http.DefaultClient
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Recognizer{cfg: cfg, endpoint: u.String()}, nil
}

// Name is "whisper".
func (r *Recognizer) Name() string { return "whisper" }

// Close does nothing; the HTTP client belongs to the caller.
func (r *Recognizer) Close() error { return nil }

// Endpoint is the URL requests go to, without credentials, for the
// start-up log.
func (r *Recognizer) Endpoint() string {
	u, _ := url.Parse(r.endpoint)
	return u.Redacted()
}

// Recognize sends samples to the server and decodes its answer.
func (r *Recognizer) Recognize(ctx context.Context, samples []float32, hints speech.Hints) (*speech.Transcript, error) {
	body, contentType, err := r.form(samples, hints)
	if err != nil {
		return nil, err
	}
	answer, err := r.post(ctx, body, contentType)
	if err != nil {
		return nil, err
	}
	audioMS := int64(len(samples)) * 1000 / speech.SampleRate
	t, err := decodeVerbose(answer, audioMS)
	if err != nil {
		return nil, fmt.Errorf("whisper: %w", err)
	}
	return t, nil
}

// form builds the multipart body once, so retries resend the same bytes.
func (r *Recognizer) form(samples []float32, hints speech.Hints) ([]byte, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "utterance.wav")
	if err != nil {
		return nil, "", err
	}
	if _, err := fw.Write(WAV(samples)); err != nil {
		return nil, "", err
	}
	lang := hints.Language
	if lang == "" {
		lang = r.cfg.Language
	}
	fields := [][2]string{
		{"model", r.cfg.Model},
		{"response_format", "verbose_json"},
		{"timestamp_granularities[]", "segment"},
		{"timestamp_granularities[]", "word"},
		{"temperature", "0"},
	}
	if lang != "" {
		fields = append(fields, [2]string{"language", lang})
	}
	if p := Prompt(hints.Names); p != "" {
		fields = append(fields, [2]string{"prompt", p})
	}
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return nil, "", err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// Prompt joins names into a Whisper prompt, skipping repeats and stopping
// before it passes maxPrompt bytes, so that it never cuts a name in two.
func Prompt(names []string) string {
	seen := make(map[string]bool, len(names))
	var b strings.Builder
	for _, n := range names {
		n = strings.Join(strings.Fields(n), " ")
		key := strings.ToLower(n)
		if n == "" || seen[key] {
			continue
		}
		seen[key] = true
		if b.Len()+len(n)+2 > maxPrompt {
			break
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
	}
	return b.String()
}

// statusError is an answer other than 200.
type statusError struct {
	status  int
	message string
	retry   time.Duration // from Retry-After, 0 when absent
}

func (e *statusError) Error() string {
	if e.message == "" {
		return fmt.Sprintf("server answered %d %s", e.status, http.StatusText(e.status))
	}
	return fmt.Sprintf("server answered %d %s: %s", e.status, http.StatusText(e.status), e.message)
}

func (e *statusError) retryable() bool {
	return e.status == http.StatusTooManyRequests || e.status >= 500
}

// post sends the body, retrying what a server may answer differently the
// next time, and returns the answer's body.
func (r *Recognizer) post(ctx context.Context, body []byte, contentType string) ([]byte, error) {
	wait := r.cfg.Backoff
	for attempt := 0; ; attempt++ {
		answer, err := r.postOnce(ctx, body, contentType)
		if err == nil {
			return answer, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("whisper: POST %s: %w", r.Endpoint(), ctx.Err())
		}
		var se *statusError
		isStatus := errors.As(err, &se)
		if attempt >= r.cfg.MaxRetries || (isStatus && !se.retryable()) {
			return nil, fmt.Errorf("whisper: POST %s: %w", r.Endpoint(), err)
		}
		delay := wait
		if isStatus && se.retry > 0 {
			delay = min(se.retry, 30*time.Second)
		}
		r.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "whisper request failed; retrying",
			slog.Int("attempt", attempt+1), slog.Duration("wait", delay), slog.String("error", err.Error()))
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("whisper: POST %s: %w", r.Endpoint(), ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
}

func (r *Recognizer) postOnce(ctx context.Context, body []byte, contentType string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	if r.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+r.cfg.APIKey)
	}
	resp, err := r.cfg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &statusError{status: resp.StatusCode, message: errorMessage(answer), retry: retryAfter(resp.Header.Get("Retry-After"))}
	}
	return answer, nil
}

// errorMessage is the message of an OpenAI error answer
// ({"error":{"message":...}}), FastAPI's {"detail":...}, or the start of a
// plain-text body.
func errorMessage(body []byte) string {
	var e struct {
		Error  json.RawMessage `json:"error"`
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &e) == nil {
		var obj struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(e.Error, &obj) == nil && obj.Message != "":
			return clip(obj.Message)
		case json.Unmarshal(e.Error, &s) == nil && s != "":
			return clip(s)
		case json.Unmarshal(e.Detail, &s) == nil && s != "":
			return clip(s)
		case len(e.Detail) > 0:
			return clip(string(e.Detail))
		}
	}
	return clip(strings.TrimSpace(string(body)))
}

func clip(s string) string {
	const n = 300
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

// retryAfter reads a Retry-After header given in seconds.
func retryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}
