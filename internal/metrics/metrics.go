// Package metrics is gmc's Prometheus instrumentation. Other packages call
// the methods of *Metrics, which do nothing on a nil *Metrics: a server
// with metrics off passes nil and pays one comparison per call, and no
// package but this one imports the Prometheus client.
//
// Every series lives in the Metrics' own registry (never the client's
// global one), so two servers in one process (tests) count apart. Label
// values are bounded by construction: HTTP routes are the mux's patterns,
// never raw paths; job kinds, providers and models come from settings and
// code, never from requests.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds gmc's series. The zero of a *Metrics (nil) is "off".
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	httpInFlight prometheus.Gauge
	httpRefusals *prometheus.CounterVec

	wsConns    prometheus.Gauge
	wsMessages *prometheus.CounterVec
	brokerLag  *prometheus.HistogramVec

	jobs        *prometheus.CounterVec
	jobsRunning *prometheus.GaugeVec
	jobDuration *prometheus.HistogramVec

	sttRTF        *prometheus.HistogramVec
	sttAudio      *prometheus.CounterVec
	diarization   *prometheus.HistogramVec
	keywordDetect prometheus.Histogram

	llmRequests *prometheus.CounterVec
	llmDuration *prometheus.HistogramVec
	llmTokens   *prometheus.CounterVec

	pools   *poolCollector
	replica *replicaCollector
}

// latencyBuckets spans a cached read (1 ms) to a slow AI draft (a minute).
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// New makes the series in a registry of their own, with the Go runtime's
// and the process's.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{reg: reg}
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gmc_http_requests_total", Help: "HTTP requests answered, by method, route pattern and status.",
	}, []string{"method", "route", "status"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gmc_http_request_duration_seconds", Help: "Time to answer an HTTP request (a WebSocket's whole life), by method and route pattern.",
		Buckets: latencyBuckets,
	}, []string{"method", "route"})
	m.httpInFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "gmc_http_requests_in_flight", Help: "HTTP requests being answered (open WebSockets included).",
	})
	m.wsConns = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "gmc_ws_connections", Help: "Live-session WebSockets open on this instance.",
	})
	m.wsMessages = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gmc_ws_messages_total", Help: "WebSocket messages, by direction: in (from clients) or out (to clients).",
	}, []string{"direction"})
	m.brokerLag = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gmc_broker_lag_seconds", Help: "Time from a live message's publication to its arrival at this instance's subscriber, by broker.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"broker"})
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gmc_jobs_total", Help: "Background job transitions, by kind and state reached: enqueued, running, then the state an attempt left it in (completed, retryable, discarded, cancelled, scheduled).",
	}, []string{"kind", "state"})
	m.jobsRunning = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "gmc_jobs_running", Help: "Background job attempts running in this process, by kind.",
	}, []string{"kind"})
	m.jobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gmc_job_duration_seconds", Help: "Time one attempt of a background job ran, by kind and outcome (ok or error).",
		Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600},
	}, []string{"kind", "outcome"})
	m.sttRTF = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gmc_stt_real_time_factor", Help: "Speech recognition time over the audio's duration, per utterance, by provider (below 1 keeps up with live speech).",
		Buckets: []float64{.01, .025, .05, .1, .2, .3, .5, .75, 1, 1.5, 2, 5},
	}, []string{"provider"})
	m.sttAudio = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gmc_stt_audio_seconds_total", Help: "Seconds of speech recognised, by provider.",
	}, []string{"provider"})
	m.diarization = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gmc_diarization_seconds", Help: "Time to learn who spoke an utterance, by diarizer.",
		Buckets: latencyBuckets,
	}, []string{"provider"})
	m.keywordDetect = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "gmc_keyword_detect_seconds", Help: "Time to find the terms and rule phrases of one transcript segment.",
		Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1},
	})
	m.llmRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gmc_llm_requests_total", Help: "Chat requests to the language model, retries counted once, by model and outcome (ok or error).",
	}, []string{"model", "outcome"})
	m.llmDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gmc_llm_request_duration_seconds", Help: "Time a chat request took, retries included, by model.",
		Buckets: []float64{.1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300},
	}, []string{"model"})
	m.llmTokens = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gmc_llm_tokens_total", Help: "Language model tokens, by model and type (prompt or completion); estimated where the server reports none.",
	}, []string{"model", "type"})
	m.httpRefusals = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gmc_http_refusals_total",
		Help: "Requests refused by a limit or a switch, by route pattern and reason: rate_limited, quota_exceeded (a campaign's monthly budget) or feature_disabled.",
	}, []string{"route", "reason"})
	m.pools = &poolCollector{}
	m.replica = &replicaCollector{}
	for _, c := range []prometheus.Collector{m.httpRequests, m.httpDuration, m.httpInFlight, m.httpRefusals, m.wsConns, m.wsMessages, m.brokerLag,
		m.jobs, m.jobsRunning, m.jobDuration, m.sttRTF, m.sttAudio, m.diarization, m.keywordDetect,
		m.llmRequests, m.llmDuration, m.llmTokens, m.pools, m.replica,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	return m
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// HTTPStarted counts a request in flight; call the returned func when it
// is answered.
func (m *Metrics) HTTPStarted() func() {
	if m == nil {
		return func() {}
	}
	m.httpInFlight.Inc()
	return m.httpInFlight.Dec
}

// HTTPRequest counts an answered request. route must be a route pattern.
func (m *Metrics) HTTPRequest(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.httpRequests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.httpDuration.WithLabelValues(method, route).Observe(d.Seconds())
}

// HTTPRefused counts a request refused for reason (a problem code) on
// route, a route pattern: a 429 from a rate limit and one from a spent
// budget look alike in gmc_http_requests_total, and an operator has to
// tell them apart to know which setting to change.
func (m *Metrics) HTTPRefused(route, reason string) {
	if m == nil {
		return
	}
	m.httpRefusals.WithLabelValues(route, reason).Inc()
}

// WSOpened counts an open WebSocket; call the returned func when it closes.
func (m *Metrics) WSOpened() func() {
	if m == nil {
		return func() {}
	}
	m.wsConns.Inc()
	var once sync.Once
	return func() { once.Do(m.wsConns.Dec) }
}

// WSMessage counts one WebSocket message; in is from the client.
func (m *Metrics) WSMessage(in bool) {
	if m == nil {
		return
	}
	dir := "out"
	if in {
		dir = "in"
	}
	m.wsMessages.WithLabelValues(dir).Inc()
}

// BrokerLag records how long a message took from publication to arrival.
func (m *Metrics) BrokerLag(broker string, d time.Duration) {
	if m == nil {
		return
	}
	m.brokerLag.WithLabelValues(broker).Observe(max(d, 0).Seconds())
}

// Job counts a job of kind reaching state.
func (m *Metrics) Job(kind, state string) {
	if m == nil {
		return
	}
	m.jobs.WithLabelValues(kind, state).Inc()
}

// JobStarted counts a running attempt of kind; call the returned func
// with the attempt's error when it ends.
func (m *Metrics) JobStarted(kind string) func(err error) {
	if m == nil {
		return func(error) {}
	}
	start := time.Now()
	m.jobsRunning.WithLabelValues(kind).Inc()
	return func(err error) {
		m.jobsRunning.WithLabelValues(kind).Dec()
		m.jobDuration.WithLabelValues(kind, outcome(err)).Observe(time.Since(start).Seconds())
	}
}

// Recognized records one utterance's recognition: audio of that length
// took took.
func (m *Metrics) Recognized(provider string, audio, took time.Duration) {
	if m == nil || audio <= 0 {
		return
	}
	m.sttRTF.WithLabelValues(provider).Observe(took.Seconds() / audio.Seconds())
	m.sttAudio.WithLabelValues(provider).Add(audio.Seconds())
}

// Diarized records how long the diarizer took to name an utterance's speakers.
func (m *Metrics) Diarized(provider string, took time.Duration) {
	if m == nil {
		return
	}
	m.diarization.WithLabelValues(provider).Observe(took.Seconds())
}

// KeywordsDetected records the detection time of one segment.
func (m *Metrics) KeywordsDetected(took time.Duration) {
	if m == nil {
		return
	}
	m.keywordDetect.Observe(took.Seconds())
}

// LLMRequest records one chat request (with its retries) and its tokens.
func (m *Metrics) LLMRequest(model string, took time.Duration, promptTokens, completionTokens int64, err error) {
	if m == nil {
		return
	}
	m.llmRequests.WithLabelValues(model, outcome(err)).Inc()
	m.llmDuration.WithLabelValues(model).Observe(took.Seconds())
	if promptTokens > 0 {
		m.llmTokens.WithLabelValues(model, "prompt").Add(float64(promptTokens))
	}
	if completionTokens > 0 {
		m.llmTokens.WithLabelValues(model, "completion").Add(float64(completionTokens))
	}
}

func outcome(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
