package pocketsphinx

import (
	"os"
	"path/filepath"
	"sync"
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

// The full letter-to-sound model takes seconds to learn (a minute and
// more under -race), so the tests that need one share it.
var shared struct {
	once sync.Once
	lts  *LTS
	err  error
}

// withSharedLTS gives r the shared model before it learns its own.
func withSharedLTS(t testing.TB, r *Recognizer) {
	t.Helper()
	shared.once.Do(func() { shared.lts, shared.err = TrainLTS(filepath.Join(DefaultModelDir, "cmudict-en-us.dict"), nil) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	r.ltsOnce.Do(func() { r.lts = shared.lts })
}
