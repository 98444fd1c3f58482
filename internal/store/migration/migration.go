// Package migration applies a backend's embedded SQL migrations with goose,
// so both backends migrate, and report status, the same way.
package migration

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
)

// Status is the state of one migration.
type Status struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

func provider(dialect goose.Dialect, db *sql.DB, migrations fs.FS) (*goose.Provider, error) {
	p, err := goose.NewProvider(dialect, db, migrations, goose.WithGoMigrations(goMigrations(dialect)...))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// Up applies every pending migration and returns how many ran.
func Up(ctx context.Context, dialect goose.Dialect, db *sql.DB, migrations fs.FS) (int, error) {
	p, err := provider(dialect, db, migrations)
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("apply migrations: %w", err)
	}
	return len(res), nil
}

// UpTo applies the pending migrations up to and including version and
// returns how many ran.
func UpTo(ctx context.Context, dialect goose.Dialect, db *sql.DB, migrations fs.FS, version int64) (int, error) {
	p, err := provider(dialect, db, migrations)
	if err != nil {
		return 0, err
	}
	res, err := p.UpTo(ctx, version)
	if err != nil {
		return len(res), fmt.Errorf("apply migrations: %w", err)
	}
	return len(res), nil
}

// List returns every known migration and whether it is applied.
func List(ctx context.Context, dialect goose.Dialect, db *sql.DB, migrations fs.FS) ([]Status, error) {
	p, err := provider(dialect, db, migrations)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]Status, len(st))
	for i, s := range st {
		out[i] = Status{
			Version:   s.Source.Version,
			Name:      s.Source.Path,
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		}
	}
	return out, nil
}
