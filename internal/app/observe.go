package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/gmc-project/gmc/internal/metrics"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
	"github.com/gmc-project/gmc/internal/tracing"
)

// openObservability makes the metrics when a setting asks for them, and
// the tracer provider (a no-op one without OTEL_EXPORTER_OTLP_ENDPOINT).
// With tracing on, log lines written with a request's or a job's context
// carry its trace id.
func (a *App) openObservability(version string) error {
	if a.cfg.MetricsEnabled() {
		a.metrics = metrics.New()
		a.watchPools()
		a.watchReplica()
	}
	tp, err := tracing.Setup(a.cfg.OTLPEndpoint, version)
	if err != nil {
		return err
	}
	a.tracer = tp
	if tp.Enabled() {
		a.log = slog.New(tracing.LogHandler(a.log.Handler()))
	}
	return nil
}

// rootTracer is the provider of request and job spans, nil when tracing
// is off so that those layers skip tracing altogether.
func (a *App) rootTracer() trace.TracerProvider {
	if !a.tracer.Enabled() {
		return nil
	}
	return a.tracer
}

// watchPools reports the database's connection pools in the metrics.
func (a *App) watchPools() {
	switch db := a.store.(type) {
	case *postgres.DB:
		a.metrics.WatchPools(func() []metrics.PoolStats {
			return []metrics.PoolStats{pgxStats("main", db.Pool().Stat()), pgxStats("search", db.SearchPool().Stat())}
		})
	case *sqlite.DB:
		a.metrics.WatchPools(func() []metrics.PoolStats {
			read, write := db.PoolStats()
			return []metrics.PoolStats{sqlStats("read", read), sqlStats("write", write)}
		})
	}
}

func pgxStats(pool string, s *pgxpool.Stat) metrics.PoolStats {
	return metrics.PoolStats{Backend: "postgres", Pool: pool, InUse: int(s.AcquiredConns()), Idle: int(s.IdleConns()),
		Max: int(s.MaxConns()), Waits: s.EmptyAcquireCount(), WaitTime: s.EmptyAcquireWaitTime()}
}

func sqlStats(pool string, s sql.DBStats) metrics.PoolStats {
	return metrics.PoolStats{Backend: "sqlite", Pool: pool, InUse: s.InUse, Idle: s.Idle, Max: s.MaxOpenConnections,
		Waits: s.WaitCount, WaitTime: s.WaitDuration}
}

// metricsWhere says where metrics are served, for the start-up log line.
func (a *App) metricsWhere() string {
	switch {
	case a.metrics == nil:
		return "off"
	case a.cfg.MetricsAddr != "" && a.cfg.MetricsOnMain:
		return a.cfg.MetricsAddr + " and main"
	case a.cfg.MetricsAddr != "":
		return a.cfg.MetricsAddr
	}
	return "main"
}

// MetricsAddr is the address the metrics listener listens on, empty
// before Serve opened it or when GMC_METRICS_ADDR is not set.
func (a *App) MetricsAddr() string {
	if p := a.metricsAddr.Load(); p != nil {
		return *p
	}
	return ""
}

// serveMetrics opens the listener of GMC_METRICS_ADDR, which serves
// /metrics only; stop closes it.
func (a *App) serveMetrics(ctx context.Context) (stop func(), err error) {
	if a.cfg.MetricsAddr == "" || a.metrics == nil {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("GMC_METRICS_ADDR: %w", err)
	}
	addr := ln.Addr().String()
	a.metricsAddr.Store(&addr)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.Handler())
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics listener stopped", slog.String("error", err.Error()))
		}
	}()
	a.log.Info("serving metrics", slog.String("addr", addr))
	return func() {
		// A scrape takes milliseconds; it is not drained like requests.
		_ = srv.Close()
		<-done
	}, nil
}
