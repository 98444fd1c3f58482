package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ReplicaStats is the read replica's state at one moment.
type ReplicaStats struct {
	// InUse says the replica serves reads: it answers and is within the
	// lag bound.
	InUse bool
	// Lag is how far the replica is behind the primary at the last
	// check; LagKnown is false when that check could not measure it
	// (the replica did not answer).
	Lag      time.Duration
	LagKnown bool
}

// WatchReplica reads the read replica's state at every scrape. Without
// it (no replica configured) the replica series are not exported.
func (m *Metrics) WatchReplica(state func() ReplicaStats) {
	if m == nil {
		return
	}
	m.replica.mu.Lock()
	m.replica.state = state
	m.replica.mu.Unlock()
}

var (
	descReplicaInUse = prometheus.NewDesc("gmc_db_replica_in_use", "1 while the read replica serves list and search reads, 0 while it is skipped (lagging past the bound, or failing).", nil, nil)
	descReplicaLag   = prometheus.NewDesc("gmc_db_replica_lag_seconds", "How far the read replica is behind the primary at the last check; absent while it cannot be measured.", nil, nil)
)

// replicaCollector asks for the replica's state at scrape time.
type replicaCollector struct {
	mu    sync.Mutex
	state func() ReplicaStats
}

func (c *replicaCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descReplicaInUse
	ch <- descReplicaLag
}

func (c *replicaCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	state := c.state
	c.mu.Unlock()
	if state == nil {
		return
	}
	s := state()
	inUse := 0.0
	if s.InUse {
		inUse = 1
	}
	ch <- prometheus.MustNewConstMetric(descReplicaInUse, prometheus.GaugeValue, inUse)
	if s.LagKnown {
		ch <- prometheus.MustNewConstMetric(descReplicaLag, prometheus.GaugeValue, s.Lag.Seconds())
	}
}
