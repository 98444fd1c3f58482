package ratelimit_test

import (
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/ratelimit"
	"github.com/gmc-project/gmc/internal/ratelimit/limitertest"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestMemoryContract(t *testing.T) {
	t.Parallel()
	limitertest.Run(t, func(t *testing.T, now func() time.Time) ratelimit.Limiter {
		return ratelimit.NewMemory(now)
	})
}
