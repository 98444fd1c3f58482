package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// PoolStats is a database connection pool's state at one moment.
type PoolStats struct {
	// Backend is "sqlite" or "postgres"; Pool names the pool within it
	// (SQLite has a read pool and a single-connection write pool).
	Backend, Pool string
	InUse, Idle   int
	// Max is the most connections the pool opens.
	Max int
	// Waits counts acquisitions that had to wait for a connection, and
	// WaitTime adds up those waits; both only grow.
	Waits    int64
	WaitTime time.Duration
}

// WatchPools reads the pools' stats at every scrape.
func (m *Metrics) WatchPools(stats func() []PoolStats) {
	if m == nil {
		return
	}
	m.pools.mu.Lock()
	m.pools.sources = append(m.pools.sources, stats)
	m.pools.mu.Unlock()
}

var (
	poolLabels    = []string{"backend", "pool"}
	descConns     = prometheus.NewDesc("gmc_db_connections", "Database connections, by backend, pool and state (in_use or idle).", append(poolLabels, "state"), nil)
	descMax       = prometheus.NewDesc("gmc_db_connections_max", "Most connections the pool opens.", poolLabels, nil)
	descWaits     = prometheus.NewDesc("gmc_db_wait_total", "Connection acquisitions that waited for a free connection.", poolLabels, nil)
	descWaitTotal = prometheus.NewDesc("gmc_db_wait_seconds_total", "Time spent waiting for a free connection.", poolLabels, nil)
)

// poolCollector asks the pools at scrape time, so that the figures are
// current and nothing polls between scrapes.
type poolCollector struct {
	mu      sync.Mutex
	sources []func() []PoolStats
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descConns
	ch <- descMax
	ch <- descWaits
	ch <- descWaitTotal
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	sources := c.sources
	c.mu.Unlock()
	for _, src := range sources {
		for _, s := range src() {
			ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(s.InUse), s.Backend, s.Pool, "in_use")
			ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(s.Idle), s.Backend, s.Pool, "idle")
			ch <- prometheus.MustNewConstMetric(descMax, prometheus.GaugeValue, float64(s.Max), s.Backend, s.Pool)
			ch <- prometheus.MustNewConstMetric(descWaits, prometheus.CounterValue, float64(s.Waits), s.Backend, s.Pool)
			ch <- prometheus.MustNewConstMetric(descWaitTotal, prometheus.CounterValue, s.WaitTime.Seconds(), s.Backend, s.Pool)
		}
	}
}
