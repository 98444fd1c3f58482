package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/jobs"
	"github.com/gmc-project/gmc/internal/testenv"
)

// series is one scrape: each sample's name with its labels, as the text
// format writes them (labels sorted by name), mapped to its value.
type series map[string]float64

func scrape(t *testing.T, url string) series {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", url, res.StatusCode, body)
	}
	out := series{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// sum adds the samples of name whose labels include every one of want
// (each written as name="value").
func (s series) sum(name string, want ...string) (total float64, found bool) {
	for k, v := range s {
		n, labels, _ := strings.Cut(k, "{")
		if n != name {
			continue
		}
		ok := true
		for _, w := range want {
			if !strings.Contains(labels, w) {
				ok = false
			}
		}
		if ok {
			total, found = total+v, true
		}
	}
	return total, found
}

// TestMetricsOnMain scrapes /metrics on the main port after real
// requests, sockets and a job, on both databases: requests are counted by
// route pattern (never by raw path), with their latency; the pools, the
// sockets, the broker's lag (Redis) and the jobs are there too.
func TestMetricsOnMain(t *testing.T) {
	t.Parallel()
	for _, s := range []struct {
		name    string
		cfg     func(t *testing.T) config.Config
		backend string
		broker  bool
	}{
		{"embedded", func(*testing.T) config.Config {
			return config.Config{MetricsOnMain: true, FeaturesOff: []gmc.Feature{gmc.FeatureAI}}
		}, "sqlite", false},
		{"postgres+redis", func(t *testing.T) config.Config {
			return config.Config{MetricsOnMain: true, FeaturesOff: []gmc.Feature{gmc.FeatureAI},
				DatabaseURL: testenv.PostgresSchema(t), RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.RedisPrefix(t)}
		}, "postgres", true},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			in := startInstance(t, s.cfg(t),
				app.WithJobConfig(func(c *jobs.Config) { c.PollInterval = 50 * time.Millisecond }),
				app.WithJobs(func(q *jobs.Queue) error {
					return jobs.Register(q, func(ctx context.Context, j *jobs.Job[tallyArgs]) error { return nil }, jobs.WorkerOpts{})
				}))
			tb := setUpTable(t, in)
			for range 3 {
				in.call("GET", "/campaigns/"+tb.campaignID, tb.gm, nil, 200)
			}
			in.call("GET", "/campaigns/00000000-0000-0000-0000-000000000000", tb.gm, nil, 404)
			for range 2 { // refused: the generators are switched off
				in.call("POST", "/campaigns/"+tb.campaignID+"/generate/npc", tb.gm, map[string]any{}, 403)
			}
			gm := in.mustDial("gm", tb.sessionID, tb.gm)
			p1 := in.mustDial("p1", tb.sessionID, tb.p1)
			gm.send("ping", nil)
			p1.send("ping", nil)
			gm.send("chat", map[string]any{"text": "roll for initiative"})
			p1.await("chat")
			if _, err := in.app.Jobs().Enqueue(context.Background(), tallyArgs{}, jobs.EnqueueOpts{CampaignID: tb.campaignID}); err != nil {
				t.Fatal(err)
			}
			url := strings.TrimSuffix(in.base, "/api/v1") + "/metrics"
			var m series
			deadline := time.Now().Add(10 * time.Second)
			for {
				m = scrape(t, url)
				if n, _ := m.sum("gmc_jobs_total", `kind="test.tally"`, `state="completed"`); n == 1 || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			const route = `route="GET /api/v1/campaigns/{campaign_id}"`
			checks := []struct {
				name   string
				labels []string
				want   func(float64) bool
			}{
				{"gmc_http_requests_total", []string{`method="GET"`, route, `status="200"`}, func(v float64) bool { return v == 3 }},
				{"gmc_http_requests_total", []string{`method="GET"`, route, `status="404"`}, func(v float64) bool { return v == 1 }},
				{"gmc_http_requests_total", []string{`route="POST /api/v1/auth/register"`, `status="201"`}, func(v float64) bool { return v == 4 }},
				{"gmc_http_request_duration_seconds_count", []string{`method="GET"`, route}, func(v float64) bool { return v == 4 }},
				{"gmc_http_request_duration_seconds_bucket", []string{route, `le="+Inf"`}, func(v float64) bool { return v == 4 }},
				{"gmc_http_refusals_total", []string{`route="POST /api/v1/campaigns/{campaign_id}/generate/npc"`, `reason="feature_disabled"`},
					func(v float64) bool { return v == 2 }},
				{"gmc_http_requests_in_flight", nil, func(v float64) bool { return v >= 1 }}, // this scrape, and the sockets
				{"gmc_db_connections_max", []string{`backend="` + s.backend + `"`}, func(v float64) bool { return v >= 1 }},
				{"gmc_db_connections", []string{`backend="` + s.backend + `"`, `state="idle"`}, func(v float64) bool { return v >= 0 }},
				{"gmc_db_wait_total", []string{`backend="` + s.backend + `"`}, func(v float64) bool { return v >= 0 }},
				{"gmc_ws_connections", nil, func(v float64) bool { return v == 2 }},
				{"gmc_ws_messages_total", []string{`direction="in"`}, func(v float64) bool { return v >= 3 }},
				{"gmc_ws_messages_total", []string{`direction="out"`}, func(v float64) bool { return v >= 4 }}, // welcomes, pongs, chats
				{"gmc_jobs_total", []string{`kind="test.tally"`, `state="enqueued"`}, func(v float64) bool { return v == 1 }},
				{"gmc_jobs_total", []string{`kind="test.tally"`, `state="running"`}, func(v float64) bool { return v == 1 }},
				{"gmc_jobs_total", []string{`kind="test.tally"`, `state="completed"`}, func(v float64) bool { return v == 1 }},
				{"gmc_job_duration_seconds_count", []string{`kind="test.tally"`, `outcome="ok"`}, func(v float64) bool { return v == 1 }},
				{"gmc_jobs_running", []string{`kind="test.tally"`}, func(v float64) bool { return v == 0 }},
				{"go_goroutines", nil, func(v float64) bool { return v > 0 }},
			}
			if s.broker {
				checks = append(checks, struct {
					name   string
					labels []string
					want   func(float64) bool
				}{"gmc_broker_lag_seconds_count", []string{`broker="redis"`}, func(v float64) bool { return v >= 1 }})
			}
			for _, c := range checks {
				v, ok := m.sum(c.name, c.labels...)
				if !ok || !c.want(v) {
					t.Errorf("%s%v = %v (present %v)", c.name, c.labels, v, ok)
				}
			}
			if v, ok := m.sum("gmc_http_refusals_total", route); ok {
				t.Errorf("gmc_http_refusals_total of %s = %v, want none: a 404 is no refusal", route, v)
			}
			for k := range m {
				if strings.Contains(k, tb.campaignID) || strings.Contains(k, "00000000-0000") {
					t.Errorf("a series names a raw path: %s", k)
				}
			}
		})
	}
}

// TestMetricsAddr: with GMC_METRICS_ADDR the metrics have a listener of
// their own, which serves nothing else, and the main port has no
// /metrics; without either setting there are no metrics at all.
func TestMetricsAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		addr       string
		ownAddr    bool
		mainStatus int
	}{
		{"own listener", "127.0.0.1:0", true, http.StatusNotFound},
		{"off", "", false, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Config{DataDir: t.TempDir(), SecretKey: strings.Repeat("s", 32), ShutdownTimeout: 5 * time.Second, MetricsAddr: tc.addr}
			a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), "test")
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- a.Serve(ctx, ln) }()
			defer func() {
				cancel()
				if err := <-served; err != nil {
					t.Errorf("Serve: %v", err)
				}
			}()
			main := "http://" + ln.Addr().String()
			get := func(url string) int {
				t.Helper()
				res, err := http.Get(url)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res.StatusCode
			}
			if got := get(main + "/healthz"); got != 200 {
				t.Fatalf("GET /healthz = %d", got)
			}
			if got := get(main + "/metrics"); got != tc.mainStatus {
				t.Errorf("main GET /metrics = %d, want %d", got, tc.mainStatus)
			}
			if !tc.ownAddr {
				if a.MetricsAddr() != "" {
					t.Errorf("MetricsAddr = %q with metrics off", a.MetricsAddr())
				}
				return
			}
			var own string
			for deadline := time.Now().Add(5 * time.Second); own == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				own = a.MetricsAddr()
			}
			if own == "" {
				t.Fatal("the metrics listener did not open")
			}
			m := scrape(t, "http://"+own+"/metrics")
			if v, _ := m.sum("gmc_http_requests_total", `route="GET /healthz"`, `status="200"`); v != 1 {
				t.Errorf("GET /healthz counted %v times, want 1", v)
			}
			if v, _ := m.sum("gmc_http_requests_total", `route="unmatched"`); v != 0 {
				t.Errorf("a route-less request was counted: %v", v)
			}
			if v, _ := m.sum("gmc_http_requests_total", `route="/"`, `status="404"`); v != 1 {
				t.Errorf("main GET /metrics counted %v times as the catch-all's 404, want 1", v)
			}
			if got := get("http://" + own + "/healthz"); got != http.StatusNotFound {
				t.Errorf("metrics listener GET /healthz = %d, want 404", got)
			}
		})
	}
}
