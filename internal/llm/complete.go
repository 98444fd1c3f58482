package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// Prompt is one request for a structured answer.
type Prompt struct {
	// Name names the answer's schema for the server (letters, digits, _
	// and -); empty means "answer".
	Name   string
	System string
	User   string
	// Campaign is the campaign whose usage totals the tokens count in.
	Campaign    string
	Temperature float64
	// TopP defaults to 1 when zero.
	TopP      float64
	MaxTokens int
	// Seed makes a server that supports it repeat its answer.
	Seed *int64
	// Stream asks for the answer as a stream of chunks, for long outputs;
	// Progress then hears how many characters have arrived out of
	// ExpectedChars (0 when unknown).
	Stream        bool
	ExpectedChars int
	Progress      func(received, expected int)
}

// Result is a validated answer and what it cost.
type Result[T any] struct {
	Value T
	// Usage adds up every call the answer took, the repair included.
	Usage Usage
	// Repaired is set when the first answer was invalid and the second
	// one was kept.
	Repaired bool
	// Format is the response_format used: json_schema or json_object.
	Format string
}

// InvalidAnswerError is an answer that still broke its schema after the
// repair attempt.
type InvalidAnswerError struct {
	Problems []string
	// Answer is the start of the last invalid answer.
	Answer string
}

func (e *InvalidAnswerError) Error() string {
	p := e.Problems
	more := ""
	if len(p) > 5 {
		more = fmt.Sprintf(" (and %d more)", len(p)-5)
		p = p[:5]
	}
	return "llm: the answer did not match its schema after one repair attempt: " + strings.Join(p, "; ") + more
}

// Complete asks for an answer of type T and returns it validated against
// T's schema, or an error: never a value that breaks the schema.
func Complete[T any](ctx context.Context, c *Client, p Prompt) (T, error) {
	r, err := Generate[T](ctx, c, p)
	return r.Value, err
}

// Generate is Complete with the token usage and how the answer came.
func Generate[T any](ctx context.Context, c *Client, p Prompt) (Result[T], error) {
	var res Result[T]
	e := schemaOf(reflect.TypeFor[T]())
	if e.err != nil {
		return res, e.err
	}
	name := p.Name
	if name == "" {
		name = "answer"
	}
	if !schemaName.MatchString(name) {
		return res, fmt.Errorf("llm: prompt name %q must be 1 to 64 letters, digits, _ or -", name)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.TotalTimeout)
	defer cancel()

	msgs := []message{{"system", p.System}, {"user", p.User}}
	a, format, err := c.structured(ctx, p, name, e, msgs)
	res.Format = format
	res.Usage.add(a.usage)
	if err != nil {
		return res, err
	}
	v, problems := decode[T](a, e.schema)
	if problems == nil {
		res.Value = v
		return res, nil
	}
	msgs = append(msgs,
		message{"assistant", a.content},
		message{"user", repairRequest(problems)},
	)
	a, format, err = c.structured(ctx, p, name, e, msgs)
	res.Format = format
	res.Usage.add(a.usage)
	if err != nil {
		return res, fmt.Errorf("llm: asking for a corrected answer: %w", err)
	}
	v, problems = decode[T](a, e.schema)
	if problems != nil {
		return res, &InvalidAnswerError{Problems: problems, Answer: clip(a.content, 500)}
	}
	res.Value = v
	res.Repaired = true
	return res, nil
}

// structured sends msgs asking for JSON of the schema, as json_schema
// unless the server has refused it, then as json_object with the schema
// spelled out in the system message.
func (c *Client) structured(ctx context.Context, p Prompt, name string, e schemaEntry, msgs []message) (answer, string, error) {
	req := &chatRequest{
		Model:       c.cfg.Model,
		Temperature: p.Temperature,
		TopP:        p.TopP,
		MaxTokens:   p.MaxTokens,
		Seed:        p.Seed,
		Stream:      p.Stream,
	}
	if req.TopP == 0 {
		req.TopP = 1
	}
	if p.Stream {
		req.StreamOptions = &streamOptions{IncludeUsage: true}
	}
	if !c.noJSONSchema.Load() {
		req.Messages = withInstruction(msgs, "Answer with one JSON object and nothing else.")
		req.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: &jsonSchema{Name: name, Schema: e.raw, Strict: true}}
		a, err := c.chat(ctx, req, p.Campaign, p.Progress, p.ExpectedChars)
		// Servers without structured output refuse the format with 400
		// (vLLM, Ollama, llama.cpp) or a FastAPI-style 422.
		var ae *APIError
		if !errors.As(err, &ae) || (ae.Status != http.StatusBadRequest && ae.Status != http.StatusUnprocessableEntity) {
			return a, "json_schema", err
		}
	}
	req.Messages = withInstruction(msgs, "Answer with one JSON object and nothing else. It must match this JSON Schema:\n"+string(e.raw))
	req.ResponseFormat = &responseFormat{Type: "json_object"}
	a, err := c.chat(ctx, req, p.Campaign, p.Progress, p.ExpectedChars)
	if err == nil {
		// The json_schema refusal was about the format, not the request:
		// later calls go straight to json_object.
		c.noJSONSchema.Store(true)
	}
	return a, "json_object", err
}

func withInstruction(msgs []message, instruction string) []message {
	out := append([]message(nil), msgs...)
	if strings.TrimSpace(out[0].Content) == "" {
		out[0].Content = instruction
	} else {
		out[0].Content = strings.TrimRight(out[0].Content, "\n") + "\n\n" + instruction
	}
	return out
}

func repairRequest(problems []string) string {
	var b strings.Builder
	b.WriteString("Your answer is not valid:\n")
	for i, p := range problems {
		if i == 20 {
			fmt.Fprintf(&b, "- and %d more\n", len(problems)-20)
			break
		}
		b.WriteString("- " + p + "\n")
	}
	b.WriteString("Answer again with the corrected JSON object only, keeping everything that was right.")
	return b.String()
}

// decode parses and validates an answer; problems is nil only for a value
// that matches the schema.
func decode[T any](a answer, s *Schema) (T, []string) {
	var zero T
	text := stripFences(a.content)
	var problems []string
	if a.finish == "length" {
		problems = append(problems, "the answer was cut off at the token limit; make it shorter")
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if text == "" {
			return zero, append(problems, "the answer is empty")
		}
		return zero, append(problems, "the answer is not valid JSON: "+err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return zero, append(problems, "there is more after the JSON object")
	}
	if ps := s.Validate(v); ps != nil {
		return zero, append(problems, ps...)
	}
	var out T
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		// The schema has no integer ranges of Go's types.
		return zero, append(problems, "/: "+err.Error())
	}
	return out, nil
}

// stripFences removes what models in json_object mode sometimes put
// around their JSON: a reasoning model's leading <think>…</think> block
// and a Markdown code fence.
func stripFences(s string) string {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "<think>"); ok {
		if _, after, found := strings.Cut(rest, "</think>"); found {
			s = strings.TrimSpace(after)
		}
	}
	if !strings.HasPrefix(s, "```") {
		return s
	}
	s = strings.TrimPrefix(s, "```")
	if i := strings.IndexByte(s, '\n'); i >= 0 && !strings.ContainsAny(s[:i], "{[") {
		s = s[i+1:]
	}
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "```")
	return strings.TrimSpace(s)
}
