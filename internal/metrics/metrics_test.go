package metrics_test

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/metrics"
)

// record calls every method once.
func record(m *metrics.Metrics) {
	m.HTTPStarted()()
	m.HTTPRequest("GET", "GET /api/v1/campaigns/{campaign_id}", 200, 3*time.Millisecond)
	m.HTTPRefused("POST /api/v1/campaigns/{campaign_id}/generate/npc", "quota_exceeded")
	closed := m.WSOpened()
	closed()
	closed() // a second close must not count twice
	m.WSMessage(true)
	m.WSMessage(false)
	m.BrokerLag("redis", 2*time.Millisecond)
	m.Job("speech.transcribe", "enqueued")
	m.JobStarted("speech.transcribe")(errors.New("not audio"))
	m.Recognized("pocketsphinx", 2*time.Second, 500*time.Millisecond)
	m.Diarized("builtin", 4*time.Millisecond)
	m.KeywordsDetected(200 * time.Microsecond)
	m.LLMRequest("qwen", 1500*time.Millisecond, 120, 30, nil)
	m.WatchPools(func() []metrics.PoolStats {
		return []metrics.PoolStats{{Backend: "sqlite", Pool: "write", InUse: 1, Max: 1, Waits: 3, WaitTime: time.Second}}
	})
	m.WatchReplica(func() metrics.ReplicaStats {
		return metrics.ReplicaStats{InUse: true, Lag: 1500 * time.Millisecond, LagKnown: true}
	})
}

// TestNilIsOff: every method of a nil *Metrics does nothing, so packages
// call them without checking whether metrics are on.
func TestNilIsOff(t *testing.T) {
	var m *metrics.Metrics
	record(m)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 404 {
		t.Errorf("nil Handler answered %d, want 404", rec.Code)
	}
}

// TestSeries: each method feeds its series, with the values given.
func TestSeries(t *testing.T) {
	m := metrics.New()
	record(m)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	want := []string{
		`gmc_http_requests_total{method="GET",route="GET /api/v1/campaigns/{campaign_id}",status="200"} 1`,
		`gmc_http_request_duration_seconds_count{method="GET",route="GET /api/v1/campaigns/{campaign_id}"} 1`,
		`gmc_http_requests_in_flight 0`,
		`gmc_ws_connections 0`,
		`gmc_ws_messages_total{direction="in"} 1`,
		`gmc_ws_messages_total{direction="out"} 1`,
		`gmc_broker_lag_seconds_count{broker="redis"} 1`,
		`gmc_jobs_total{kind="speech.transcribe",state="enqueued"} 1`,
		`gmc_jobs_running{kind="speech.transcribe"} 0`,
		`gmc_job_duration_seconds_count{kind="speech.transcribe",outcome="error"} 1`,
		`gmc_stt_real_time_factor_sum{provider="pocketsphinx"} 0.25`,
		`gmc_stt_audio_seconds_total{provider="pocketsphinx"} 2`,
		`gmc_diarization_seconds_count{provider="builtin"} 1`,
		`gmc_keyword_detect_seconds_count 1`,
		`gmc_llm_requests_total{model="qwen",outcome="ok"} 1`,
		`gmc_llm_request_duration_seconds_sum{model="qwen"} 1.5`,
		`gmc_llm_tokens_total{model="qwen",type="prompt"} 120`,
		`gmc_llm_tokens_total{model="qwen",type="completion"} 30`,
		`gmc_db_connections{backend="sqlite",pool="write",state="in_use"} 1`,
		`gmc_db_connections_max{backend="sqlite",pool="write"} 1`,
		`gmc_db_wait_total{backend="sqlite",pool="write"} 3`,
		`gmc_db_wait_seconds_total{backend="sqlite",pool="write"} 1`,
		`gmc_db_replica_in_use 1`,
		`gmc_db_replica_lag_seconds 1.5`,
	}
	for _, w := range want {
		if !strings.Contains(string(body), w+"\n") {
			t.Errorf("no line %s", w)
		}
	}
}

// TestRegistriesApart: two servers in one process count apart.
func TestRegistriesApart(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.WSMessage(true)
	rec := httptest.NewRecorder()
	b.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if strings.Contains(rec.Body.String(), "gmc_ws_messages_total{") {
		t.Error("a message counted by one Metrics shows in another's")
	}
}

// TestReplicaSeries: the replica's series follow its state, are absent
// without a replica, and the lag is absent while it cannot be measured.
func TestReplicaSeries(t *testing.T) {
	scrape := func(m *metrics.Metrics) string {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		return rec.Body.String()
	}
	m := metrics.New()
	if body := scrape(m); strings.Contains(body, "gmc_db_replica_") {
		t.Errorf("replica series without a replica:\n%s", body)
	}
	var state metrics.ReplicaStats
	m.WatchReplica(func() metrics.ReplicaStats { return state })
	tests := []struct {
		name    string
		state   metrics.ReplicaStats
		want    []string
		wantNot string
	}{
		{"serving", metrics.ReplicaStats{InUse: true, Lag: 250 * time.Millisecond, LagKnown: true},
			[]string{"gmc_db_replica_in_use 1\n", "gmc_db_replica_lag_seconds 0.25\n"}, ""},
		{"lagging", metrics.ReplicaStats{Lag: 9 * time.Second, LagKnown: true},
			[]string{"gmc_db_replica_in_use 0\n", "gmc_db_replica_lag_seconds 9\n"}, ""},
		{"unreachable", metrics.ReplicaStats{},
			[]string{"gmc_db_replica_in_use 0\n"}, "gmc_db_replica_lag_seconds "},
	}
	for _, tc := range tests {
		state = tc.state
		body := scrape(m)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: no line %q", tc.name, w)
			}
		}
		if tc.wantNot != "" && strings.Contains(body, tc.wantNot) {
			t.Errorf("%s: a line %q, want none", tc.name, tc.wantNot)
		}
	}
}
