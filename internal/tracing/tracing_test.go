package tracing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"runtime"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gmc-project/gmc/internal/tracing"
)

// TestOffStartsNothing: without an endpoint the provider exports nothing,
// runs no goroutine and inner spans are not made.
func TestOffStartsNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	p, err := tracing.Setup("", "test")
	if err != nil {
		t.Fatal(err)
	}
	if p.Enabled() {
		t.Error("a provider without endpoint is enabled")
	}
	ctx, span := p.Tracer(tracing.Scope).Start(context.Background(), "root")
	_, child := tracing.Start(ctx, "child")
	if span.IsRecording() || child.IsRecording() {
		t.Error("spans record with tracing off")
	}
	tracing.End(child, nil)
	span.End()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines %d → %d with tracing off", before, after)
	}
}

func TestSetupRefusesBadEndpoint(t *testing.T) {
	for _, e := range []string{"127.0.0.1:4318", "ftp://collector", "http://"} {
		if _, err := tracing.Setup(e, "test"); err == nil {
			t.Errorf("Setup(%q) = nil error", e)
		}
	}
}

// TestChildrenOnlyUnderARecordingParent: inner spans hang from the span
// in the context, with its provider, and none starts a trace of its own.
func TestChildrenOnlyUnderARecordingParent(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	_, orphan := tracing.Start(context.Background(), "orphan")
	tracing.End(orphan, nil)
	ctx, root := tp.Tracer("t").Start(context.Background(), "root")
	_, child := tracing.Start(ctx, "child")
	tracing.End(child, context.DeadlineExceeded)
	root.End()
	ended := rec.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans ended, want root and child", len(ended))
	}
	c := ended[0]
	if c.Name() != "child" || c.Parent().SpanID() != root.SpanContext().SpanID() || c.Status().Description == "" {
		t.Errorf("child span %s parent %v status %v", c.Name(), c.Parent().SpanID(), c.Status())
	}
}

// TestLogHandler: a record logged with a span's context carries its trace
// and span ids; one without carries neither.
func TestLogHandler(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	ctx, span := tp.Tracer("t").Start(context.Background(), "root")
	defer span.End()
	tests := []struct {
		ctx       context.Context
		wantTrace string
	}{
		{ctx, span.SpanContext().TraceID().String()},
		{context.Background(), ""},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		log := slog.New(tracing.LogHandler(slog.NewJSONHandler(&buf, nil))).With("k", "v")
		log.InfoContext(tc.ctx, "hello", "at", time.Second)
		var line map[string]any
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		got, _ := line["trace_id"].(string)
		if got != tc.wantTrace {
			t.Errorf("trace_id = %q, want %q (line %s)", got, tc.wantTrace, buf.String())
		}
	}
}
