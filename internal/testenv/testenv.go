// Package testenv gives tests the real servers gmc runs against: PostgreSQL
// and Redis. Each helper uses the server named by an environment variable
// (GMC_TEST_POSTGRES_URL, GMC_TEST_REDIS_URL) when it is set; otherwise it
// starts one throw-away server per test process from the locally installed
// binaries; otherwise it skips the test, loudly, or fails it when CI=true,
// so that CI can never pass by skipping.
//
// A package whose tests may start a throw-away server must run them
// through Main, which stops the servers and removes their files:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// Per-test isolation comes on top: PostgresSchema gives each test its own
// schema and RedisPrefix its own key prefix, both removed when it ends, so
// tests run in parallel against one server and leave nothing behind.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Throw-away servers live as long as the test process, so they are package
// state; this is test-only code and Main is the one place that ends them.
var (
	mainRunning    atomic.Bool
	postgresServer server
	redisServer    server
	warnOnce       sync.Once
)

// Main runs the package's tests and then stops every throw-away server the
// tests started. Call it from TestMain.
func Main(m *testing.M) {
	mainRunning.Store(true)
	code := m.Run()
	postgresServer.shutdown()
	redisServer.shutdown()
	os.Exit(code)
}

// server is one lazily started throw-away server.
type server struct {
	once sync.Once
	url  string
	stop func()
	err  error
}

// get starts the server on first use and returns its URL.
func (s *server) get(t testing.TB, name string, start func() (url string, stop func(), err error)) string {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatalf("testenv: starting a throw-away %s server needs TestMain to call testenv.Main(m), which stops it again:\n\tfunc TestMain(m *testing.M) { testenv.Main(m) }", name)
	}
	s.once.Do(func() { s.url, s.stop, s.err = start() })
	if s.err != nil {
		t.Fatalf("testenv: start throw-away %s server: %v", name, s.err)
	}
	return s.url
}

// shutdown stops the server if it was started. Its once.Do also makes any
// later get fail to start one, and orders the read of stop after the start.
func (s *server) shutdown() {
	s.once.Do(func() { s.err = fmt.Errorf("testenv.Main has already stopped the servers") })
	if s.stop != nil {
		s.stop()
	}
}

// unavailable skips the test because a server is missing, or fails it
// under CI, where a missing server is a broken pipeline.
func unavailable(t testing.TB, what, hint string) {
	t.Helper()
	msg := fmt.Sprintf("testenv: no %s server for this test: %s", what, hint)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: failing instead of skipping)")
	}
	// t.Skip is only visible with -v; say it once on stderr as well so a
	// plain "go test" run does not look fully green.
	warnOnce.Do(func() { fmt.Fprintf(os.Stderr, "WARNING: %s; SKIPPING the tests that need it\n", msg) })
	t.Skip("SKIPPED: " + msg)
}

// Missing skips the test because what it needs is missing, or fails it
// under CI=true, where a test must not pass by skipping.
func Missing(t testing.TB, what string) {
	t.Helper()
	msg := "testenv: missing " + what
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: failing instead of skipping)")
	}
	t.Skip("SKIPPED: " + msg)
}

// randomHex returns n random bytes as hex, for unique names.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// freePort returns a loopback TCP port that was free a moment ago. The
// server started on it may still lose a race for it; callers retry.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls ready until it succeeds, the process exits or the
// timeout passes.
func waitReady(p *proc, timeout time.Duration, ready func(ctx context.Context) error) error {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := ready(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited (%v); its log ends:\n%s", p.name, p.err, tail(p.log))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.kill()
			return fmt.Errorf("%s not ready after %s: %v; its log ends:\n%s", p.name, timeout, err, tail(p.log))
		}
	}
}

// tail returns the last lines of the file at path, for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
