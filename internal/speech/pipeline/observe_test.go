package pipeline

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/speech"
)

// TestStreamObserved: each utterance's recognition counts its audio and
// real-time factor, each diarization its latency, and under a traced
// caller both are spans of the caller's trace.
func TestStreamObserved(t *testing.T) {
	m := metrics.New()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx, root := tp.Tracer("t").Start(t.Context(), "root")
	s, err := Start(ctx, Config{
		Recognizer: &levelReader{}, Diarization: &fixedTurns{}, Segmenter: &chunker{n: speech.SampleRate},
		Fallback: "mic", Emit: func(context.Context, Result) error { return nil },
		Metrics: m, DiarizerName: "fixed",
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.Write(ctx, second(float32(i+1)/10)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	root.End()
	out := httptest.NewRecorder()
	m.Handler().ServeHTTP(out, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(out.Body)
	for _, want := range []string{
		`gmc_stt_real_time_factor_count{provider="level"} 3`,
		`gmc_stt_audio_seconds_total{provider="level"} 3`,
		`gmc_diarization_seconds_count{provider="fixed"} 3`,
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("no line %s", want)
		}
	}
	count := map[string]int{}
	for _, sp := range rec.Ended() {
		if sp.SpanContext().TraceID() == root.SpanContext().TraceID() {
			count[sp.Name()]++
		}
	}
	if count["stt.recognize"] != 3 || count["diarization.turns"] != 3 {
		t.Errorf("spans in the caller's trace: %v", count)
	}
}
