package ratelimit_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/ratelimit"
	"github.com/gmc-project/gmc/internal/testenv"
)

// BenchmarkAllow is the cost of one counted attempt, what a login pays
// two to four times.
func BenchmarkAllow(b *testing.B) {
	rule := ratelimit.Rule{Name: "bench", Limit: 30, Window: time.Minute}
	for name, l := range map[string]ratelimit.Limiter{
		"memory": ratelimit.NewMemory(nil),
		"redis":  ratelimit.NewRedis(redisClientB(b), ratelimit.RedisOpts{KeyPrefix: testenv.RedisPrefix(b)}),
	} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				if _, err := l.Allow(ctx, rule, strconv.Itoa(i%1000)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
