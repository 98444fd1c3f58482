package searchbench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/postgres"
	"github.com/gmc-project/gmc/internal/store/sqlite"
)

// benchStore is a store backend that also keeps the baseline's names, in
// the same database as the search index it is compared with.
type benchStore interface {
	store.Store
	store.SearchBaseline
}

// backend is the store under test.
type backend struct {
	name string
	st   benchStore
	// bulk loads data sets by BulkIndex where the store has it.
	bulk bool
}

// openBackend opens (creating when needed) the benchmark's own database:
// for SQLite a file, for PostgreSQL a schema named after the data set so
// that a second run with the same parameters reuses the data.
func openBackend(ctx context.Context, o options) (*backend, error) {
	var st benchStore
	var err error
	switch o.backend {
	case "sqlite":
		st, err = openSQLite(o)
	case "postgres":
		st, err = openPostgres(ctx, o)
	default:
		return nil, fmt.Errorf("unknown --backend %q: sqlite or postgres", o.backend)
	}
	if err != nil {
		return nil, err
	}
	b := &backend{name: o.backend, st: st, bulk: o.load == "copy"}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.PrepareBaseline(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return b, nil
}

func openSQLite(o options) (benchStore, error) {
	path := o.databaseURL
	if path == "" {
		path = filepath.Join(os.TempDir(), "gmc-bench-search-"+o.fingerprint()+".db")
	}
	if o.fresh {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(path + suffix)
		}
	}
	return sqlite.Open(path)
}

func openPostgres(ctx context.Context, o options) (benchStore, error) {
	if o.databaseURL == "" {
		return nil, errors.New("--backend postgres needs --database-url")
	}
	return postgres.OpenSchema(ctx, o.databaseURL, "gmcbench_"+o.fingerprint(), o.fresh)
}

func (b *backend) close() { b.st.Close() }
