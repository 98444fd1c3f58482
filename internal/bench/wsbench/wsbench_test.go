package wsbench_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/bench/wsbench"
	"github.com/gmc-project/gmc/internal/realtime"
)

// startHub serves a hub on a memory broker; the peer comes from the URL.
func startHub(t *testing.T) *httptest.Server {
	t.Helper()
	broker := realtime.NewMemoryBroker(realtime.BrokerOpts{})
	hub, err := realtime.NewHub(realtime.HubOpts{Broker: broker})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		q := r.URL.Query()
		_ = hub.Serve(r.Context(), ws, q.Get("session"), realtime.Peer{UserID: q.Get("user"), Role: realtime.RolePlayer})
	}))
	t.Cleanup(func() {
		_ = hub.Close()
		srv.Close()
		_ = broker.Close()
	})
	return srv
}

func TestRun(t *testing.T) {
	t.Parallel()
	srv := startHub(t)
	base := "ws" + strings.TrimPrefix(srv.URL, "http")
	opts := wsbench.Options{
		URL: func(s, c int) string {
			return fmt.Sprintf("%s/?session=bench-%d&user=s%d-c%d", base, s, s, c)
		},
		Sessions:          2,
		ClientsPerSession: 3,
		Rate:              10,
		Duration:          time.Second,
	}
	rep, err := wsbench.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if rep.Connections != 6 {
		t.Errorf("Connections = %d, want 6", rep.Connections)
	}
	if rep.Sent < 30 {
		t.Errorf("Sent = %d, want about 6 clients × 10/s × 1 s", rep.Sent)
	}
	if rep.Expected != rep.Sent*3 || rep.Delivered != rep.Expected {
		t.Errorf("Delivered %d of Expected %d (Sent %d), want all", rep.Delivered, rep.Expected, rep.Sent)
	}
	if rep.Errors != 0 {
		t.Errorf("Errors = %d, want 0", rep.Errors)
	}
	if rep.P50 <= 0 || rep.P99 < rep.P50 || rep.Max < rep.P99 {
		t.Errorf("latencies p50 %v p99 %v max %v, want 0 < p50 <= p99 <= max", rep.P50, rep.P99, rep.Max)
	}
	if rep.DeliveredPerSec <= 0 {
		t.Errorf("DeliveredPerSec = %v, want > 0", rep.DeliveredPerSec)
	}
}

func TestRunFailsWhenServerIsDown(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	_, err := wsbench.Run(context.Background(), wsbench.Options{
		URL:      func(int, int) string { return "ws" + strings.TrimPrefix(srv.URL, "http") },
		Sessions: 1, ClientsPerSession: 1, Rate: 1, Duration: time.Second,
	})
	if err == nil {
		t.Error("Run against a closed server = nil error, want one")
	}
}

func TestRunValidatesOptions(t *testing.T) {
	t.Parallel()
	if _, err := wsbench.Run(context.Background(), wsbench.Options{}); err == nil {
		t.Error("Run with zero Options = nil error, want one")
	}
}
