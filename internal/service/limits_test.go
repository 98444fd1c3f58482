package service_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/ratelimit"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/testenv"
)

// TestLoginParallelGuessesMeetAccountLimit: guesses sent all at once from
// addresses that are already guessing cannot overrun the per-account
// limit, and the owner's login from a clean address in the middle of them
// gets in.
func TestLoginParallelGuessesMeetAccountLimit(t *testing.T) {
	t.Parallel()
	limiters := map[string]func(t *testing.T) ratelimit.Limiter{
		"memory": func(t *testing.T) ratelimit.Limiter { return ratelimit.NewMemory(nil) },
		"redis": func(t *testing.T) ratelimit.Limiter {
			opts, err := redis.ParseURL(testenv.RedisURL(t))
			if err != nil {
				t.Fatal(err)
			}
			c := redis.NewClient(opts)
			t.Cleanup(func() { c.Close() })
			return ratelimit.NewRedis(c, ratelimit.RedisOpts{KeyPrefix: testenv.RedisPrefix(t)})
		},
	}
	limits := service.Limits{
		LoginAddress: ratelimit.Rule{Name: "addr", Limit: 1000, Window: time.Minute},
		LoginPair:    ratelimit.Rule{Name: "pair", Limit: 1000, Window: time.Hour},
		LoginAccount: ratelimit.Rule{Name: "account", Limit: 20, Window: time.Hour},
		SuspectAfter: 1,
	}
	for _, b := range storeBackends {
		for name, newLimiter := range limiters {
			t.Run(b.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				cheap := service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}
				svc, err := service.New(service.Config{Store: b.open(t), SecretKey: bytes.Repeat([]byte("k"), 32), PasswordParams: &cheap, Limiter: newLimiter(t), Limits: &limits})
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				if _, err := svc.Register(ctx, service.RegisterParams{Email: "owner@example.com", Password: "correct horse battery", DisplayName: "Owner"}); err != nil {
					t.Fatal(err)
				}
				const addresses, each = 5, 20
				guess := func(addr string) error {
					_, err := svc.Login(ctx, service.LoginParams{Email: "owner@example.com", Password: "guess", ClientIP: addr})
					return err
				}
				for a := range addresses {
					if err := guess(fmt.Sprintf("203.0.113.%d", a+1)); !errors.Is(err, gmc.ErrUnauthenticated) {
						t.Fatalf("first guess = %v, want wrong password", err)
					}
				}
				var mu sync.Mutex
				wrong, limited := 0, 0
				var wg sync.WaitGroup
				for a := range addresses {
					for range each {
						wg.Go(func() {
							err := guess(fmt.Sprintf("203.0.113.%d", a+1))
							mu.Lock()
							defer mu.Unlock()
							switch {
							case errors.Is(err, gmc.ErrUnauthenticated):
								wrong++
							case errors.Is(err, gmc.ErrRateLimited):
								limited++
							default:
								t.Errorf("guess = %v", err)
							}
						})
					}
				}
				owner := make(chan error, 1)
				wg.Go(func() {
					_, err := svc.Login(ctx, service.LoginParams{Email: "owner@example.com", Password: "correct horse battery", ClientIP: "198.51.100.10"})
					owner <- err
				})
				wg.Wait()
				if want := limits.LoginAccount.Limit - addresses; wrong != want || limited != addresses*each-want {
					t.Errorf("parallel guesses: %d answered, %d refused; want %d and %d", wrong, limited, want, addresses*each-want)
				}
				if err := <-owner; err != nil {
					t.Errorf("owner's login among the guesses = %v, want success", err)
				}
			})
		}
	}
}
