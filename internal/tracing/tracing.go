// Package tracing is gmc's OpenTelemetry tracing: the exporter set up
// from OTEL_EXPORTER_OTLP_ENDPOINT, spans for inner calls, and the trace
// id in log lines.
//
// No global provider is set. Root spans (an HTTP request, a background
// job) come from the provider the server hands to those layers; every
// other span (database, LLM, speech) is a child made with its parent's
// provider, and only when a recording parent is in the context. So with
// tracing off no span is made, no goroutine runs, and background work
// such as the job queue's polling never starts a trace of its own.
package tracing

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Scope names gmc's instrumentation in every span.
const Scope = "github.com/gmc-project/gmc"

// Provider is a tracer provider and its shutdown.
type Provider struct {
	trace.TracerProvider
	sdk *sdktrace.TracerProvider
}

// Shutdown sends the spans still buffered and stops the exporter; a
// provider of tracing off has nothing to do.
func (p *Provider) Shutdown(ctx context.Context) error {
	if p == nil || p.sdk == nil {
		return nil
	}
	return p.sdk.Shutdown(ctx)
}

// Enabled says whether spans are exported.
func (p *Provider) Enabled() bool { return p != nil && p.sdk != nil }

// Setup returns the provider that exports spans over OTLP/HTTP to
// endpoint, the base URL of OTEL_EXPORTER_OTLP_ENDPOINT (/v1/traces is
// appended, as the OpenTelemetry specification says for that variable).
// With an empty endpoint it is a no-op provider that starts nothing.
// The exporter also reads the other OTEL_EXPORTER_OTLP_* variables
// (headers, timeout, compression).
func Setup(endpoint, version string) (*Provider, error) {
	if endpoint == "" {
		return &Provider{TracerProvider: noop.NewTracerProvider()}, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL")
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/v1/traces"
	exp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(u.String()))
	if err != nil {
		return nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName("gmc"), semconv.ServiceVersion(version))
	sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Provider{TracerProvider: sdk, sdk: sdk}, nil
}

// Start starts a child span of the recording span in ctx; without one it
// returns ctx and a span that records nothing.
func Start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return ctx, parent
	}
	return parent.TracerProvider().Tracer(Scope).Start(ctx, name, trace.WithAttributes(attrs...))
}

// End ends span, marking it failed when err is set.
func End(span trace.Span, err error) {
	if err != nil && span.IsRecording() {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
