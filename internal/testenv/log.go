package testenv

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
)

// Logger is a logger whose lines at level and above go to the test's log,
// so a failing test shows what the server said (a 500's cause is only in
// the log). Lines written once the test has ended are dropped: a server's
// last goroutines may still log while it stops, and the testing package
// panics on a log after the end.
func Logger(t testing.TB, level slog.Level) *slog.Logger {
	w := &testLog{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type testLog struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(string(bytes.TrimRight(p, "\n")))
	}
	return len(p), nil
}
