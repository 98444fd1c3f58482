package app

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/gmc-project/gmc/internal/store/postgres"
)

// openReadReplica sends list and search reads to GMC_DATABASE_READ_URL
// when it is set. Whether the replica serves is in the log and in
// ReplicaServing (the metric hook).
func (a *App) openReadReplica(ctx context.Context) error {
	if a.cfg.DatabaseReadURL == "" {
		return nil
	}
	db, ok := a.store.(*postgres.DB)
	if !ok {
		return fmt.Errorf("GMC_DATABASE_READ_URL: needs the PostgreSQL store")
	}
	a.replicaServing = new(atomic.Bool)
	err := db.SetReadReplica(ctx, a.cfg.DatabaseReadURL, postgres.ReplicaOptions{MaxLag: a.cfg.ReadReplicaMaxLag, Logger: a.log,
		OnState: func(serving bool, _ string) { a.replicaServing.Store(serving) }})
	if err != nil {
		return fmt.Errorf("GMC_DATABASE_READ_URL: %w", err)
	}
	return nil
}

// ReplicaServing reports whether a read replica is configured and
// whether it serves reads now (not lagging, not failing), for metrics.
func (a *App) ReplicaServing() (configured, serving bool) {
	if a.replicaServing == nil {
		return false, false
	}
	return true, a.replicaServing.Load()
}
