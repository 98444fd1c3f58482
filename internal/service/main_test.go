package service_test

import (
	"testing"

	"github.com/gmc-project/gmc/internal/testenv"
)

// TestMain stops the throw-away PostgreSQL server the tests may start.
func TestMain(m *testing.M) { testenv.Main(m) }
