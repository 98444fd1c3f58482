package llm

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"
)

// MaxEmbedBatch is how many texts one embeddings request carries; longer
// lists are sent in several requests. Servers cap a batch (vLLM by its
// token budget, OpenAI at 2048 inputs); 64 stays well inside both.
const MaxEmbedBatch = 64

type embedRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	EncodingFormat string   `json:"encoding_format"`
}

type embedResponse struct {
	Data []struct {
		Index int `json:"index"`
		// Embedding is an array of numbers, or a base64 string of
		// little-endian float32 when a server answers in that format
		// whatever was asked.
		Embedding json.RawMessage `json:"embedding"`
	} `json:"data"`
	Usage *usageJSON `json:"usage"`
}

// Embed returns one vector per text (POST /embeddings), in the order of
// texts, with the same retries as a chat call. Every vector of one
// answer has the same length, or the answer is refused.
func (c *Client) Embed(ctx context.Context, campaign string, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.TotalTimeout)
	defer cancel()
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += MaxEmbedBatch {
		batch := texts[start:min(len(texts), start+MaxEmbedBatch)]
		vecs, err := c.embedBatch(ctx, campaign, batch)
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && len(vecs[0]) != len(out[0]) {
			return nil, fmt.Errorf("llm: the server's embeddings changed length from %d to %d", len(out[0]), len(vecs[0]))
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (c *Client) embedBatch(ctx context.Context, campaign string, texts []string) ([][]float32, error) {
	body, err := json.Marshal(embedRequest{Model: c.cfg.Model, Input: texts, EncodingFormat: "float"})
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		vecs, usage, err := c.embedAttempt(ctx, body, len(texts))
		if err == nil {
			if usage.PromptTokens == 0 {
				usage.Estimated = true
				for _, t := range texts {
					usage.PromptTokens += int64(EstimateTokens(t))
				}
			}
			usage.Calls = 1
			c.record(ctx, campaign, usage)
			return vecs, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("llm: %w (last attempt: %v)", context.Cause(ctx), err)
		}
		if !retryable(err) || attempt >= c.cfg.MaxRetries {
			return nil, err
		}
		wait := c.backoff(attempt, err)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, fmt.Errorf("%w (the next try, in %v, would pass the deadline)", err, wait.Round(time.Millisecond))
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func (c *Client) embedAttempt(ctx context.Context, body []byte, n int) ([][]float32, Usage, error) {
	if err := c.acquire(ctx); err != nil {
		return nil, Usage{}, err
	}
	defer c.release()
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(c.cfg.RequestTimeout, func() { cancel(errAttemptTimeout) })
	defer timer.Stop()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base.String()+"/embeddings", bytes.NewReader(body))
	if err != nil {
		return nil, Usage{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	c.authorize(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, Usage{}, c.transportError(actx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, Usage{}, apiError(resp)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		if actx.Err() != nil {
			return nil, Usage{}, c.transportError(actx, err)
		}
		return nil, Usage{}, &connError{err}
	}
	vecs, usage, err := decodeEmbeddings(raw, n)
	return vecs, usage, err
}

// decodeEmbeddings reads an embeddings answer for n inputs, matching
// vectors to inputs by index as the protocol says (servers need not
// keep the order).
func decodeEmbeddings(raw []byte, n int) ([][]float32, Usage, error) {
	var resp embedResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, Usage{}, fmt.Errorf("llm: the server's answer is not an embeddings list: %v", err)
	}
	if len(resp.Data) != n {
		return nil, Usage{}, fmt.Errorf("llm: asked for %d embeddings, the server sent %d", n, len(resp.Data))
	}
	out := make([][]float32, n)
	dims := -1
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= n || out[d.Index] != nil {
			return nil, Usage{}, fmt.Errorf("llm: the server sent an embedding with index %d for %d inputs", d.Index, n)
		}
		v, err := decodeVector(d.Embedding)
		if err != nil {
			return nil, Usage{}, err
		}
		if len(v) == 0 {
			return nil, Usage{}, errors.New("llm: the server sent an empty embedding")
		}
		if dims >= 0 && len(v) != dims {
			return nil, Usage{}, fmt.Errorf("llm: the server's embeddings differ in length (%d and %d)", dims, len(v))
		}
		dims = len(v)
		out[d.Index] = v
	}
	var u Usage
	if resp.Usage != nil {
		u.PromptTokens = resp.Usage.PromptTokens
	}
	return out, u, nil
}

func decodeVector(raw json.RawMessage) ([]float32, error) {
	var nums []float64
	if err := json.Unmarshal(raw, &nums); err == nil {
		v := make([]float32, len(nums))
		for i, x := range nums {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, errors.New("llm: an embedding holds a value that is not a number")
			}
			v[i] = float32(x)
		}
		return v, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, errors.New("llm: an embedding is neither a list of numbers nor base64")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b)%4 != 0 {
		return nil, errors.New("llm: a base64 embedding is not a whole number of float32 values")
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		if f := float64(v[i]); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.New("llm: an embedding holds a value that is not a number")
		}
	}
	return v, nil
}
