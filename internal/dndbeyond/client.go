package dndbeyond

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultBaseURL is the character service's endpoint; a character's id is
// appended to it.
const DefaultBaseURL = "https://character-service.dndbeyond.com/character/v5/character/"

// Defaults of a ClientConfig.
const (
	DefaultTimeout  = 15 * time.Second
	DefaultMaxBytes = 8 << 20
)

// ClientConfig sets up a Client; zero fields take the defaults.
type ClientConfig struct {
	// BaseURL is DefaultBaseURL, or a loopback server's in tests.
	BaseURL string
	// Timeout bounds one fetch, answer body included.
	Timeout time.Duration
	// MaxBytes bounds an answer's body; the largest real documents are
	// about 1 MB.
	MaxBytes int64
	// Transport makes the requests; nil uses http.DefaultTransport's.
	Transport http.RoundTripper
}

// Client fetches public characters from the character service. It sends
// no credentials: a private character is refused (ErrPrivate), as reading
// one would mean holding the owner's D&D Beyond session.
type Client struct {
	base     *url.URL
	http     *http.Client
	maxBytes int64
}

// NewClient checks cfg and builds a Client.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("dndbeyond: base URL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	c := &Client{base: base, maxBytes: cfg.MaxBytes}
	c.http = &http.Client{Timeout: cfg.Timeout, CheckRedirect: c.checkRedirect, Transport: cfg.Transport}
	return c, nil
}

// checkRedirect follows redirects only within the service's own origin,
// so that an answer cannot send the server to fetch from anywhere else.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != c.base.Scheme || req.URL.Host != c.base.Host {
		return fmt.Errorf("redirected to another host (%s)", req.URL.Host)
	}
	if len(via) >= 3 {
		return errors.New("too many redirects")
	}
	return nil
}

// Fetch returns the document of the character with id, as the service
// sent it. Errors: ErrPrivate, ErrNotFound, ErrMalformed (not a character,
// or too large), ErrUnavailable (timeout, redirect elsewhere, rate limit,
// server error).
func (c *Client) Fetch(ctx context.Context, id int64) ([]byte, error) {
	u := c.base.JoinPath(strconv.FormatInt(id, 10))
	u.RawQuery = "includeCustomItems=true"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrUnavailable, fetchProblem(err))
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, c.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrUnavailable, fetchProblem(err))
	}
	if int64(len(body)) > c.maxBytes {
		return nil, fmt.Errorf("%w: the answer is larger than %d bytes", ErrMalformed, c.maxBytes)
	}
	switch s := res.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return nil, fmt.Errorf("%w: D&D Beyond answered %d; the character's privacy must be set to Public", ErrPrivate, s)
	case s == http.StatusNotFound:
		return nil, fmt.Errorf("%w: D&D Beyond has no character %d", ErrNotFound, id)
	case s == http.StatusTooManyRequests || s >= 500:
		return nil, fmt.Errorf("%w: D&D Beyond answered %d", ErrUnavailable, s)
	case s != http.StatusOK:
		if _, err := Unwrap(body); errors.Is(err, ErrPrivate) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: D&D Beyond answered %d", ErrUnavailable, s)
	}
	// A 200 may still carry the service's error envelope.
	if _, err := Unwrap(body); err != nil {
		return nil, err
	}
	return bytes.Clone(body), nil
}

// fetchProblem describes a failed request without the URL's details.
func fetchProblem(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "D&D Beyond did not answer in time"
		}
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "D&D Beyond did not answer in time"
	}
	return err.Error()
}

// ParseRef reads a character reference: its id ("12345678") or the URL of
// its sheet on dndbeyond.com (https://www.dndbeyond.com/characters/12345678,
// also the older …/profile/{user}/characters/{id} form).
func ParseRef(ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if id <= 0 {
			return 0, errors.New("must be a positive number")
		}
		return id, nil
	}
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		return 0, errors.New("must be a D&D Beyond character URL or id")
	}
	host := strings.ToLower(u.Hostname())
	if host != "dndbeyond.com" && !strings.HasSuffix(host, ".dndbeyond.com") {
		return 0, errors.New("must be a URL on dndbeyond.com")
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := len(parts) - 2; i >= 0; i-- {
		if parts[i] == "characters" || parts[i] == "character" {
			if id, err := strconv.ParseInt(parts[i+1], 10, 64); err == nil && id > 0 {
				return id, nil
			}
		}
	}
	return 0, errors.New("must be a D&D Beyond character URL (…/characters/{id})")
}
