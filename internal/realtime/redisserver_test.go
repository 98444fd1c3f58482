package realtime_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gmc-project/gmc/internal/realtime"
)

// redisEnv names the Redis the tests use; when it is unset, TestMain starts a
// throw-away redis-server and sets it for the duration of the run.
const redisEnv = "GMC_TEST_REDIS_URL"

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	// The outage tests make go-redis log every failed dial; those lines are
	// expected and would bury real failures.
	redis.SetLogger(quietLogger{})
	if os.Getenv(redisEnv) == "" {
		if bin, err := exec.LookPath("redis-server"); err == nil {
			dir, err := os.MkdirTemp("", "gmc-redis-")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			defer os.RemoveAll(dir)
			srv, err := startRedis(bin, dir, 0, false)
			if err != nil {
				fmt.Fprintln(os.Stderr, "starting redis-server:", err)
				return 1
			}
			defer srv.stop()
			os.Setenv(redisEnv, srv.url())
		}
	}
	return m.Run()
}

// redisURL returns the test Redis or skips the test loudly; in CI a missing
// Redis is a failure, so a green run always means the Redis tests ran.
func redisURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv(redisEnv); u != "" {
		return u
	}
	const msg = "REDIS TESTS NOT RUN: set " + redisEnv + " or install redis-server"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// redisBin returns the redis-server binary for tests that need their own
// server to stop and restart.
func redisBin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		const msg = "REDIS OUTAGE TEST NOT RUN: needs the redis-server binary"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// redisProc is a redis-server started by the tests.
type redisProc struct {
	cmd  *exec.Cmd
	port int
}

func (p *redisProc) url() string { return "redis://127.0.0.1:" + strconv.Itoa(p.port) }

func (p *redisProc) stop() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// startRedis runs redis-server on port (0 picks a free one) with its files in
// dir; persist keeps data across a restart on the same dir.
func startRedis(bin, dir string, port int, persist bool) (*redisProc, error) {
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir}
	if persist {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = nil, nil
	logf, err := os.Create(filepath.Join(dir, fmt.Sprintf("redis-%d.log", time.Now().UnixNano())))
	if err == nil {
		cmd.Stdout, cmd.Stderr = logf, logf
		defer logf.Close()
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &redisProc{cmd: cmd, port: port}
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return p, nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("redis-server on port %d not ready: %w", port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newRedisClient connects to url and closes the client when the test ends.
func newRedisClient(t *testing.T, url string) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("bad %s: %v", redisEnv, err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// randomPrefix gives each test its own key space on a shared Redis.
func randomPrefix() string { return "gmctest:" + rand.Text()[:12] + ":" }

// removeKeys deletes every key under prefix when the test ends.
func removeKeys(t *testing.T, rdb *redis.Client, prefix string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		keys, err := scanKeys(ctx, rdb, prefix)
		if err != nil {
			t.Logf("cleanup of %s*: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			_ = rdb.Del(ctx, keys...).Err()
		}
	})
}

func scanKeys(ctx context.Context, rdb *redis.Client, prefix string) ([]string, error) {
	var keys []string
	iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}

// newRedisBroker opens a broker on url under prefix, closed and cleaned up
// when the test ends.
func newRedisBroker(t *testing.T, url, prefix string, opts realtime.BrokerOpts) *realtime.RedisBroker {
	t.Helper()
	rdb := newRedisClient(t, url)
	removeKeys(t, rdb, prefix)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := realtime.NewRedisBroker(ctx, rdb, realtime.RedisBrokerOpts{BrokerOpts: opts, KeyPrefix: prefix})
	if err != nil {
		t.Fatalf("NewRedisBroker = %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// testLogger sends a component's logs to the test's output, shown on failure
// and with -v.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}
