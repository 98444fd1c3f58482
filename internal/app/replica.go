package app

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/store/postgres"
)

// replicaState is what the read replica's hooks last told.
type replicaState struct {
	serving atomic.Bool
	// lag is in nanoseconds, -1 when the last check could not measure it.
	lag atomic.Int64
}

// openReadReplica sends list and search reads to GMC_DATABASE_READ_URL
// when it is set. Whether the replica serves, and how far behind it is,
// are in the log and in the metrics (watchReplica).
func (a *App) openReadReplica(ctx context.Context) error {
	if a.cfg.DatabaseReadURL == "" {
		return nil
	}
	db, ok := a.store.(*postgres.DB)
	if !ok {
		return fmt.Errorf("GMC_DATABASE_READ_URL: needs the PostgreSQL store")
	}
	st := &replicaState{}
	st.lag.Store(-1)
	a.replica = st
	err := db.SetReadReplica(ctx, a.cfg.DatabaseReadURL, postgres.ReplicaOptions{MaxLag: a.cfg.ReadReplicaMaxLag, Logger: a.log,
		OnState: func(serving bool, _ string) { st.serving.Store(serving) },
		OnLag: func(lag time.Duration, err error) {
			if err != nil {
				lag = -1
			}
			st.lag.Store(int64(lag))
		}})
	if err != nil {
		return fmt.Errorf("GMC_DATABASE_READ_URL: %w", err)
	}
	return nil
}

// ReplicaServing reports whether a read replica is configured and
// whether it serves reads now (not lagging, not failing), for metrics.
func (a *App) ReplicaServing() (configured, serving bool) {
	if a.replica == nil {
		return false, false
	}
	return true, a.replica.serving.Load()
}

// watchReplica exports the read replica's state in the metrics:
// gmc_db_replica_in_use and gmc_db_replica_lag_seconds.
func (a *App) watchReplica() {
	st := a.replica
	if st == nil {
		return
	}
	a.metrics.WatchReplica(func() metrics.ReplicaStats {
		lag := st.lag.Load()
		return metrics.ReplicaStats{InUse: st.serving.Load(), Lag: time.Duration(max(lag, 0)), LagKnown: lag >= 0}
	})
}
