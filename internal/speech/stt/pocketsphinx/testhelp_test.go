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

func editDistance(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
