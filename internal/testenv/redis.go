package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisURL returns the URL of a Redis server for tests: GMC_TEST_REDIS_URL
// when set, else a throw-away redis-server shared by the test process.
// Tests share its keyspace; RedisPrefix gives each its own key prefix.
func RedisURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("GMC_TEST_REDIS_URL"); u != "" {
		return u
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		unavailable(t, "Redis", "set GMC_TEST_REDIS_URL=redis://host:port/db or install redis-server")
	}
	return redisServer.get(t, "Redis", func() (string, func(), error) { return startRedis(bin) })
}

// RedisPrefix returns a fresh key prefix ("gmctest:<random>:") on the
// RedisURL server; every key starting with it is deleted when t ends.
func RedisPrefix(t testing.TB) string {
	t.Helper()
	opts, err := redis.ParseURL(RedisURL(t))
	if err != nil {
		t.Fatalf("testenv: the Redis URL does not parse: %v", err)
	}
	prefix := "gmctest:" + randomHex(8) + ":"
	t.Cleanup(func() {
		if err := deleteKeys(opts, prefix); err != nil {
			t.Errorf("testenv: delete Redis keys %s*: %v", prefix, err)
		}
	})
	return prefix
}

// deleteKeys removes every key starting with prefix. SCAN rather than KEYS
// because the server may be shared with other test runs.
func deleteKeys(opts *redis.Options, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := redis.NewClient(opts)
	defer c.Close()
	var keys []string
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	return c.Del(ctx, keys...).Err()
}

// startRedis starts redis-server on a free loopback port, without
// persistence; stop shuts it down and removes its directory.
func startRedis(bin string) (connURL string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "gmc-redis-")
	if err != nil {
		return "", nil, err
	}
	for attempt := 1; ; attempt++ {
		u, p, err := runRedis(bin, dir)
		if err == nil {
			return u, func() { p.stop(syscall.SIGTERM); os.RemoveAll(dir) }, nil
		}
		if attempt == 3 { // probably not a lost race for the port
			os.RemoveAll(dir)
			return "", nil, err
		}
	}
}

func runRedis(bin, dir string) (string, *proc, error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir}
	p, err := startProc("redis-server", bin, args, dir, filepath.Join(dir, "redis.log"), nil, syscall.SIGKILL)
	if err != nil {
		return "", nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	opts := &redis.Options{Addr: addr}
	err = waitReady(p, 30*time.Second, func(ctx context.Context) error {
		c := redis.NewClient(opts)
		defer c.Close()
		return c.Ping(ctx).Err()
	})
	if err != nil {
		return "", nil, err
	}
	return "redis://" + addr + "/0", p, nil
}
