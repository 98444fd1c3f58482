package wsbench

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"testing"

	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestMainRedisRestart runs the Redis restart case at a tiny size, empty and
// with AOF: no writer error, nothing lost, nothing twice, seq never back.
func TestMainRedisRestart(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("REDIS RESTART BENCH NOT RUN: needs the redis-server binary")
	}
	for _, aof := range []bool{false, true} {
		var out bytes.Buffer
		args := []string{"-redis-restart", "-database-url", testenv.PostgresSchema(t), "-sessions", "1", "-clients", "3",
			"-rate", "10", "-duration", "4s", "-redis-down", "1s"}
		if aof {
			args = append(args, "-redis-aof")
		}
		if err := Main(context.Background(), args, &out, &out); err != nil {
			t.Fatalf("Main %v = %v\n%s", args, err, out.String())
		}
		for _, line := range []string{`writer errors\s+0 `, `lost\s+0 `, `duplicated\s+0 `, `seq regressions\s+0 `, `stored\s+[1-9]\d* segments`} {
			if !regexp.MustCompile(line).MatchString(out.String()) {
				t.Errorf("aof=%v: no line %q in:\n%s", aof, line, out.String())
			}
		}
	}
}
