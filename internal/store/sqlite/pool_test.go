package sqlite_test

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Concurrent reads must reuse the read pool's connections: one closed on
// release is reopened by the next read (pragmas and schema parse again),
// which made the pool the bottleneck of every read under load.
func TestReadPoolKeepsItsConnections(t *testing.T) {
	t.Parallel()
	db := MustOpen(t)
	ctx := context.Background()
	for _, clients := range []int{4, 16, 64} {
		var wg sync.WaitGroup
		errs := make(chan error, clients)
		for range clients {
			wg.Go(func() {
				for range 50 {
					if err := db.Ping(ctx); err != nil {
						errs <- err
						return
					}
					// A server does other work between its reads, so
					// fewer reads run at once than it has clients.
					time.Sleep(100 * time.Microsecond)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("%d clients: %v", clients, err)
		}
		if st := db.ReadPoolStats(); st.MaxIdleClosed != 0 || st.MaxIdleTimeClosed != 0 {
			t.Errorf("%d clients: the read pool closed %d connections for being over the idle limit and %d for idle time (open %d of %d)",
				clients, st.MaxIdleClosed, st.MaxIdleTimeClosed, st.OpenConnections, st.MaxOpenConnections)
		}
	}
}
