package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/testenv"
)

// otlpReceiver is a loopback OTLP/HTTP trace receiver: it decodes each
// export as a collector would and keeps the spans.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
	paths []string
}

func (r *otlpReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil || req.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want a protobuf body", http.StatusBadRequest)
		return
	}
	var export coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(body, &export); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.paths = append(r.paths, req.URL.Path)
	for _, rs := range export.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			r.spans = append(r.spans, ss.Spans...)
		}
	}
	r.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// TestTracing runs the server with OTEL_EXPORTER_OTLP_ENDPOINT at a
// loopback receiver: a request gives a server span named by its route with
// database spans as its children in the same trace, a job gives a span of
// its own, and the request's access-log line carries the trace id.
func TestTracing(t *testing.T) {
	t.Parallel()
	recv := &otlpReceiver{}
	collector := httptest.NewServer(recv)
	defer collector.Close()
	logs := &syncBuffer{}
	cfg := config.Config{DataDir: t.TempDir(), DatabaseURL: testenv.PostgresSchema(t), SecretKey: strings.Repeat("s", 32),
		ShutdownTimeout: 5 * time.Second, OTLPEndpoint: collector.URL}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)), "test",
		app.WithJobConfig(func(c *jobs.Config) { c.PollInterval = 50 * time.Millisecond }),
		app.WithJobs(func(q *jobs.Queue) error {
			return jobs.Register(q, func(ctx context.Context, j *jobs.Job[tallyArgs]) error {
				return jobs.Progress(ctx, 0.5, "halfway")
			}, jobs.WorkerOpts{})
		}))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	in := &instance{t: t, app: a, srv: srv, base: srv.URL + "/api/v1"}
	_, token := in.signUp("gm@example.com")
	campaign := in.call("POST", "/campaigns", token, map[string]any{"name": "Traced"}, 201)["id"].(string)
	ctx := context.Background()
	id, err := a.Jobs().Enqueue(ctx, tallyArgs{}, jobs.EnqueueOpts{CampaignID: campaign})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		j, err := a.Jobs().Job(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == gmc.JobSucceeded {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s", j.State)
		}
	}
	srv.Close()
	if err := a.Close(); err != nil { // sends the buffered spans
		t.Fatal(err)
	}

	recv.mu.Lock()
	spans, paths := recv.spans, recv.paths
	recv.mu.Unlock()
	for _, p := range paths {
		if p != "/v1/traces" {
			t.Errorf("export went to %s, want /v1/traces", p)
		}
	}
	var server *tracepb.Span
	for _, s := range spans {
		if s.Name == "POST /api/v1/campaigns" && s.Kind == tracepb.Span_SPAN_KIND_SERVER {
			server = s
		}
	}
	if server == nil {
		t.Fatalf("no server span named by the route among %d spans: %v", len(spans), names(spans))
	}
	if got := attr(server, "http.response.status_code"); got != "201" {
		t.Errorf("server span status attribute = %q, want 201", got)
	}
	var dbChildren int
	for _, s := range spans {
		if strings.HasPrefix(s.Name, "postgres ") && bytes.Equal(s.ParentSpanId, server.SpanId) {
			dbChildren++
			if !bytes.Equal(s.TraceId, server.TraceId) {
				t.Errorf("database span %s has trace %x, want %x", s.Name, s.TraceId, server.TraceId)
			}
			if attr(s, "db.system.name") != "postgresql" || attr(s, "db.query.text") == "" {
				t.Errorf("database span %s lacks its attributes: %v", s.Name, s.Attributes)
			}
		}
	}
	if dbChildren == 0 {
		t.Errorf("no database span is a child of the request's span; spans: %v", names(spans))
	}
	var jobSpan *tracepb.Span
	for _, s := range spans {
		if s.Name == "job test.tally" {
			jobSpan = s
		}
	}
	if jobSpan == nil {
		t.Errorf("no span of the job; spans: %v", names(spans))
	} else if len(jobSpan.ParentSpanId) != 0 {
		t.Errorf("the job's span has a parent")
	}

	traceID := hex.EncodeToString(server.TraceId)
	var logged bool
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		if line["msg"] == "request" && line["route"] == "POST /api/v1/campaigns" {
			logged = true
			if line["trace_id"] != traceID || line["span_id"] != hex.EncodeToString(server.SpanId) {
				t.Errorf("access log line has trace_id %v span_id %v, want %s %x", line["trace_id"], line["span_id"], traceID, server.SpanId)
			}
		}
	}
	if !logged {
		t.Errorf("no access log line of the request in:\n%s", logs.String())
	}
}

func names(spans []*tracepb.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return out
}

func attr(s *tracepb.Span, key string) string {
	for _, kv := range s.Attributes {
		if kv.Key != key {
			continue
		}
		switch v := kv.Value.Value.(type) {
		case *commonpb.AnyValue_StringValue:
			return v.StringValue
		case *commonpb.AnyValue_IntValue:
			return strconv.FormatInt(v.IntValue, 10)
		}
	}
	return ""
}
