// Package wsbench is `gmc bench ws`. Main starts gmc in process; Run, the
// load generator, opens many clients across its live sessions, has each
// send chat at a steady rate, and reports how many chat messages were
// delivered and how long each took from the sender's write to a
// recipient's read. Every chat carries its send time (client_ts, echoed by
// the hub), so latency needs no clock sync: senders and recipients are in
// this process.
package wsbench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a run.
type Options struct {
	// URL returns the WebSocket URL of one client of one session. Give each
	// client its own user: the hub caps connections per user.
	URL func(session, client int) string
	// Token, when set, returns the bearer token a client sends with its
	// upgrade (a native client's way in, instead of a ticket in the URL).
	Token func(session, client int) string
	// Sessions and ClientsPerSession set the shape of the load.
	Sessions          int
	ClientsPerSession int
	// Rate is the chat messages per second each client sends; keep it under
	// the hub's per-connection limit (20/s by default).
	Rate float64
	// Duration is how long the clients send.
	Duration time.Duration
	// Drain is how long to wait for messages still in flight after the
	// sending stops (default 2 s).
	Drain time.Duration
	// HTTPClient dials the sockets (default http.DefaultClient).
	HTTPClient *http.Client
	// Logger receives progress (default: discard).
	Logger *slog.Logger
}

// Report is the outcome of a run.
type Report struct {
	Connections int
	// Sent counts chat messages written; Expected is how many deliveries they
	// call for (each reaches every client of its session, the sender too).
	Sent, Expected, Delivered int64
	// Errors counts error frames, failed writes and unexpected closes.
	Errors int64
	// Elapsed is the sending phase.
	Elapsed time.Duration
	// DeliveredPerSec is Delivered over Elapsed.
	DeliveredPerSec float64
	// P50, P99 and Max are publish→deliver latencies over all deliveries
	// (sampled beyond a million).
	P50, P99, Max time.Duration
	// HeapPerConn is the heap growth per open connection measured in this
	// process (0 when it shrank): it includes the server's side only when the
	// server runs in this process, as in tests.
	HeapPerConn int64
}

func (o *Options) validate() error {
	switch {
	case o.URL == nil:
		return errors.New("wsbench: URL is required")
	case o.Sessions < 1 || o.ClientsPerSession < 1:
		return errors.New("wsbench: Sessions and ClientsPerSession must be at least 1")
	case o.Rate <= 0 || o.Duration <= 0:
		return errors.New("wsbench: Rate and Duration must be positive")
	}
	if o.Drain <= 0 {
		o.Drain = 2 * time.Second
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Run connects every client, runs the load for opts.Duration, waits for the
// stragglers, closes every client and reports. It fails only when a client
// cannot connect; delivery problems show in the report.
func Run(ctx context.Context, opts Options) (Report, error) {
	if err := opts.validate(); err != nil {
		return Report{}, err
	}
	before := heapAlloc()
	st := &stats{lat: newSampler(1_000_000)}
	clients, err := connectAll(ctx, opts, st)
	defer func() {
		for _, c := range clients {
			c.close()
		}
	}()
	if err != nil {
		return Report{}, err
	}
	rep := Report{Connections: len(clients)}
	if grown := heapAlloc() - before; grown > 0 {
		rep.HeapPerConn = grown / int64(len(clients))
	}
	opts.Logger.Info("wsbench: connected", "connections", len(clients), "heap_per_conn", rep.HeapPerConn)

	start := time.Now()
	sendCtx, cancel := context.WithTimeout(ctx, opts.Duration)
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() { c.send(sendCtx, opts.Rate, st) })
	}
	wg.Wait()
	cancel()
	rep.Elapsed = time.Since(start)

	expected := st.sent.Load() * int64(opts.ClientsPerSession)
	deadline := time.Now().Add(opts.Drain)
	for st.delivered.Load() < expected && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	rep.Sent, rep.Expected, rep.Delivered = st.sent.Load(), expected, st.delivered.Load()
	rep.Errors = st.errors.Load()
	rep.DeliveredPerSec = float64(rep.Delivered) / rep.Elapsed.Seconds()
	rep.P50, rep.P99, rep.Max = st.lat.quantiles()
	return rep, nil
}

func connectAll(ctx context.Context, opts Options, st *stats) ([]*client, error) {
	var (
		mu       sync.Mutex
		clients  []*client
		firstErr error
		wg       sync.WaitGroup
		limit    = make(chan struct{}, 16) // dial in parallel, but not all at once
	)
	for s := range opts.Sessions {
		for i := range opts.ClientsPerSession {
			limit <- struct{}{}
			wg.Go(func() {
				defer func() { <-limit }()
				c, err := dial(ctx, opts, s, i, st)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					firstErr = cmpOr(firstErr, fmt.Errorf("wsbench: session %d client %d: %w", s, i, err))
					return
				}
				clients = append(clients, c)
			})
		}
	}
	wg.Wait()
	return clients, firstErr
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func heapAlloc() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// stats are shared by all clients.
type stats struct {
	sent, delivered, errors atomic.Int64
	lat                     *sampler
}

// sampler keeps latencies, switching to reservoir sampling past its capacity
// so memory stays bounded on long runs.
type sampler struct {
	mu   sync.Mutex
	cap  int
	seen int64
	vals []time.Duration
	max  time.Duration
}

func newSampler(capacity int) *sampler { return &sampler{cap: capacity} }

func (s *sampler) add(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen++
	s.max = max(s.max, d)
	if len(s.vals) < s.cap {
		s.vals = append(s.vals, d)
	} else if j := rand.Int64N(s.seen); j < int64(s.cap) {
		s.vals[j] = d
	}
}

func (s *sampler) quantiles() (p50, p99, maxLat time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.vals) == 0 {
		return 0, 0, 0
	}
	v := slices.Clone(s.vals)
	slices.Sort(v)
	at := func(q float64) time.Duration { return v[min(len(v)-1, int(q*float64(len(v))))] }
	return at(0.50), at(0.99), s.max
}

// String formats the report for a terminal.
func (r Report) String() string {
	return fmt.Sprintf("connections %d, sent %d, delivered %d/%d (%.0f msg/s), errors %d, latency p50 %v p99 %v max %v, heap/conn %d B",
		r.Connections, r.Sent, r.Delivered, r.Expected, r.DeliveredPerSec, r.Errors, r.P50, r.P99, r.Max, r.HeapPerConn)
}
