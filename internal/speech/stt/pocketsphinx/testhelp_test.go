package pocketsphinx

import (
	"os"
	"testing"
)

// needModel returns the model directory, or skips the test when
// PocketSphinx or its model is not installed (fails it when CI=true, where
// .ci/run installs them).
func needModel(t testing.TB) string {
	t.Helper()
	if err := Probe(""); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v", err)
		}
		t.Skipf("SKIPPING: %v", err)
	}
	return DefaultModelDir
}
