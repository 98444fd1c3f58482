package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// preparedReads is the read pool with its statements kept prepared.
// modernc's driver parses and plans every statement it is given, and a
// profile of GET /campaigns/{id} showed the parse costing as much as
// running the query. A *sql.Stmt is prepared once per connection and kept
// there; the pool's connections live as long as the server, so after the
// first uses of a query nothing is parsed again.
//
// Statements built at run time (IN lists of varying length, optional
// filters) make their text unbounded in principle, so the cache stops
// growing at maxPrepared and further texts run unprepared.
type preparedReads struct {
	db *sql.DB

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

// maxPrepared bounds the statements kept per pool; the store's fixed
// queries number in the low hundreds.
const maxPrepared = 1024

func newPreparedReads(db *sql.DB) *preparedReads {
	return &preparedReads{db: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns query's prepared statement, preparing it on first use; nil
// when the cache is full or the preparation failed (the caller then runs
// the query unprepared, which reports any error in the usual place).
func (p *preparedReads) stmt(ctx context.Context, query string) *sql.Stmt {
	p.mu.RLock()
	s, ok := p.stmts[query]
	full := len(p.stmts) >= maxPrepared
	p.mu.RUnlock()
	if ok || full {
		return s
	}
	s, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.stmts[query]; ok {
		s.Close() // another request prepared it meanwhile
		return old
	}
	if len(p.stmts) >= maxPrepared {
		s.Close()
		return nil
	}
	p.stmts[query] = s
	return s
}

func (p *preparedReads) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := p.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}

func (p *preparedReads) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := p.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

// ExecContext is not cached: the read pool is query_only, and what runs
// here is rare (pragmas, checks).
func (p *preparedReads) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.db.ExecContext(ctx, query, args...)
}

// Close closes the prepared statements; the pool is closed by its owner.
func (p *preparedReads) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for q, s := range p.stmts {
		s.Close()
		delete(p.stmts, q)
	}
	return nil
}
