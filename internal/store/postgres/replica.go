package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gmc-project/gmc/internal/store"
)

// ReplicaOptions tunes the read replica.
type ReplicaOptions struct {
	// MaxLag is how far behind the primary the replica may be and still
	// serve reads; 0 is 5 s.
	MaxLag time.Duration
	// CheckEvery is how often the lag is measured; 0 is 1 s.
	CheckEvery time.Duration
	Logger     *slog.Logger
	// OnState is told every change of whether the replica serves reads,
	// with the reason when it does not (the metric hook).
	OnState func(serving bool, reason string)
	// OnLag is told the outcome of every check: how far the replica is
	// behind, or the error that kept the lag from being measured (the
	// metric hook).
	OnLag func(lag time.Duration, err error)
}

// replica is a streaming replica that list and search reads go to while
// it is close enough behind the primary.
type replica struct {
	pool    *pgxpool.Pool
	opts    ReplicaOptions
	serving atomic.Bool
	mu      sync.Mutex // orders state changes and their log lines
	reason  string
	stop    context.CancelFunc
	done    sync.WaitGroup
}

// SetReadReplica sends list and search reads to the PostgreSQL replica at
// url (a hot standby of this database): writes, the reads of a context
// that wrote (store.TrackWrites), transactions and everything else,
// permission checks included, stay on the primary. A replica that lags
// more than opts.MaxLag, or fails, is skipped with a log line until it
// catches up. Call it once, before serving.
func (db *DB) SetReadReplica(ctx context.Context, url string, opts ReplicaOptions) error {
	if opts.MaxLag <= 0 {
		opts.MaxLag = 5 * time.Second
	}
	if opts.CheckEvery <= 0 {
		opts.CheckEvery = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("read replica: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("read replica: %w", err)
	}
	r := &replica{pool: pool, opts: opts, reason: "not checked yet"}
	cctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	r.check(ctx, db.pool)
	r.done.Go(func() {
		t := time.NewTicker(opts.CheckEvery)
		defer t.Stop()
		for {
			select {
			case <-cctx.Done():
				return
			case <-t.C:
				r.check(cctx, db.pool)
			}
		}
	})
	db.replica = r
	return nil
}

func (r *replica) close() {
	r.stop()
	r.done.Wait()
	r.pool.Close()
}

// lag measures how far the replica is behind: nothing when it has
// replayed the primary's current WAL position, else the age of the last
// transaction it replayed. (The age alone would grow on an idle primary
// that has nothing to send.)
func (r *replica) lag(ctx context.Context, primary *pgxpool.Pool) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, max(r.opts.CheckEvery, time.Second))
	defer cancel()
	var lsn string
	if err := primary.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
		return 0, fmt.Errorf("primary: %w", err)
	}
	var recovering, caughtUp bool
	var age float64
	err := r.pool.QueryRow(ctx, `SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false),
		coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8`, lsn).Scan(&recovering, &caughtUp, &age)
	if err != nil {
		return 0, err
	}
	if !recovering {
		return 0, errors.New("it is not a standby (pg_is_in_recovery is false)")
	}
	if caughtUp {
		return 0, nil
	}
	return time.Duration(age * float64(time.Second)), nil
}

func (r *replica) check(ctx context.Context, primary *pgxpool.Pool) {
	lag, err := r.lag(ctx, primary)
	if ctx.Err() != nil {
		return
	}
	if r.opts.OnLag != nil {
		r.opts.OnLag(lag, err)
	}
	switch {
	case err != nil:
		r.set(false, "unreachable: "+err.Error())
	case lag > r.opts.MaxLag:
		r.set(false, fmt.Sprintf("lagging %v behind the primary (bound %v)", lag.Round(time.Millisecond), r.opts.MaxLag))
	default:
		r.set(true, "")
	}
}

// set records whether the replica serves reads, and says so on a change.
func (r *replica) set(serving bool, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	was := r.serving.Load()
	if was == serving && (serving || reason == r.reason) {
		return
	}
	r.serving.Store(serving)
	r.reason = reason
	if serving {
		r.opts.Logger.Info("read replica serves list and search reads")
	} else if was || reason != "" {
		r.opts.Logger.Warn("read replica skipped; reads go to the primary", slog.String("reason", reason))
	}
	if r.opts.OnState != nil {
		r.opts.OnState(serving, reason)
	}
}

// reader is where a list or search read runs: the replica while it
// serves and the read is not inside a transaction or after a write of
// the same request; the primary otherwise.
func (db *DB) reader(ctx context.Context) querier {
	r := db.replica
	if r == nil || db.open != nil || !r.serving.Load() || store.Wrote(ctx) {
		return db.q
	}
	return replicaReader{db: db, r: r}
}

// replicaReader runs a read on the replica and, should the replica fail
// it, skips the replica and runs the read again on the primary.
type replicaReader struct {
	db *DB
	r  *replica
}

func (rr replicaReader) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := rr.r.pool.Query(ctx, sql, args...)
	if err != nil && ctx.Err() == nil && !isQueryError(err) {
		rr.r.set(false, "a read failed: "+err.Error())
		return rr.db.q.Query(ctx, sql, args...)
	}
	return rows, err
}

func (rr replicaReader) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return rr.db.q.QueryRow(ctx, sql, args...)
}

func (rr replicaReader) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return rr.db.q.Exec(ctx, sql, args...)
}

// isQueryError reports an error of the statement itself, which the
// primary would return too: not the replica's fault.
func isQueryError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code[:2] != "57" && pe.Code[:2] != "08" && pe.Code[:2] != "53"
}
