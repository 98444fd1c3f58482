package service_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/gmc-project/gmc/internal/authcache"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/testenv"
)

// BenchmarkAuthenticate is the cost every authenticated request pays
// before its handler runs, with and without the account cache.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	backends := []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"sqlite", func(b *testing.B) store.Store {
			db, err := sqlite.Open(filepath.Join(b.TempDir(), "gmc.db"))
			if err != nil {
				b.Fatal(err)
			}
			return db
		}},
		{"postgres", func(b *testing.B) store.Store {
			db, err := postgres.Open(ctx, testenv.PostgresSchema(b))
			if err != nil {
				b.Fatal(err)
			}
			return db
		}},
	}
	caches := []struct {
		name string
		make func() service.AccountCache
	}{
		{"uncached", func() service.AccountCache { return nil }},
		{"memory", func() service.AccountCache { return authcache.NewMemory(0, nil) }},
	}
	for _, be := range backends {
		for _, c := range caches {
			b.Run(be.name+"/"+c.name, func(b *testing.B) {
				st := be.open(b)
				b.Cleanup(func() { st.Close() })
				if _, err := st.Migrate(ctx); err != nil {
					b.Fatal(err)
				}
				cheap := service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}
				svc, err := service.New(service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), PasswordParams: &cheap, Accounts: c.make()})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := svc.Register(ctx, service.RegisterParams{Email: "bench@example.com", Password: "correct horse battery", DisplayName: "Bench"}); err != nil {
					b.Fatal(err)
				}
				pair, err := svc.Login(ctx, service.LoginParams{Email: "bench@example.com", Password: "correct horse battery", ClientIP: "127.0.0.1"})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := svc.Authenticate(ctx, pair.AccessToken); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
