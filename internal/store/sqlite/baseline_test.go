package sqlite_test

import (
	"testing"

	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/store/storetest"
)

func TestBaselineContract(t *testing.T) {
	t.Parallel()
	storetest.RunBaseline(t, func(t *testing.T) store.Store { return MustOpen(t) })
}
