package llm

import (
	"context"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gmc-project/gmc/internal/llm/llmtest"
	"github.com/gmc-project/gmc/internal/metrics"
)

// TestChatObserved: each chat request counts in the metrics with its
// tokens and outcome, and under a traced caller is a span with its usage.
func TestChatObserved(t *testing.T) {
	t.Parallel()
	srv := llmtest.New(t)
	m := metrics.New()
	c := newTestClient(t, srv, func(cfg *Config) { cfg.Metrics = m; cfg.MaxRetries = -1 })
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, root := tp.Tracer("t").Start(context.Background(), "root")

	srv.Script(llmtest.Reply{Content: goodSpell})
	res, err := Generate[spell](ctx, c.Client, spellPrompt())
	if err != nil {
		t.Fatal(err)
	}
	srv.Script(llmtest.Reply{Status: 500, RawBody: `{"error":{"message":"down"}}`})
	if _, err := Generate[spell](ctx, c.Client, spellPrompt()); err == nil {
		t.Fatal("a 500 answered without error")
	}
	root.End()

	out := httptest.NewRecorder()
	m.Handler().ServeHTTP(out, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(out.Body)
	model := srv.Model
	for _, want := range []string{
		`gmc_llm_requests_total{model="` + model + `",outcome="ok"} 1`,
		`gmc_llm_requests_total{model="` + model + `",outcome="error"} 1`,
		`gmc_llm_request_duration_seconds_count{model="` + model + `"} 2`,
		`gmc_llm_tokens_total{model="` + model + `",type="prompt"} ` + strconv.FormatInt(res.Usage.PromptTokens, 10),
		`gmc_llm_tokens_total{model="` + model + `",type="completion"} ` + strconv.FormatInt(res.Usage.CompletionTokens, 10),
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("no line %s in\n%s", want, body)
		}
	}
	var chats int
	for _, s := range rec.Ended() {
		if s.Name() != "llm.chat" {
			continue
		}
		chats++
		if s.Parent().SpanID() != root.SpanContext().SpanID() {
			t.Errorf("llm.chat is not the caller's child")
		}
	}
	if chats != 2 {
		t.Errorf("%d llm.chat spans, want 2", chats)
	}
}
