package realtime_test

import (
	"testing"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/realtime/brokertest"
)

func TestMemoryBrokerContract(t *testing.T) {
	t.Parallel()
	brokertest.Run(t, func(t *testing.T, opts realtime.BrokerOpts) realtime.Broker {
		b := realtime.NewMemoryBroker(opts)
		t.Cleanup(func() { _ = b.Close() })
		return b
	})
}
