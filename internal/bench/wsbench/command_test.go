package wsbench

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestMainSmall runs the whole benchmark at a tiny size and checks that
// every chat was delivered to every client of its session.
func TestMainSmall(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"-sessions", "2", "-clients", "3", "-rate", "5", "-duration", "1s"}, &out, &out); err != nil {
		t.Fatalf("Main = %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`delivered\s+(\d+) of (\d+) expected`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no delivery line in:\n%s", out.String())
	}
	delivered, _ := strconv.Atoi(m[1])
	expected, _ := strconv.Atoi(m[2])
	if expected == 0 || delivered != expected {
		t.Errorf("delivered %d of %d:\n%s", delivered, expected, out.String())
	}
}

// field returns the number after label in the report, failing when absent.
func field(t *testing.T, out, pattern string) int {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in:\n%s", pattern, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestMainJoinBurst: every socket of a burst is welcomed and still there.
func TestMainJoinBurst(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"-join-burst", "40"}, &out, &out); err != nil {
		t.Fatalf("Main = %v\n%s", err, out.String())
	}
	if n := field(t, out.String(), `closed by the server (\d+)`); n != 0 {
		t.Errorf("%d sockets closed:\n%s", n, out.String())
	}
	if n := field(t, out.String(), `got a chat afterwards (\d+) of 40`); n != 40 {
		t.Errorf("%d of 40 sockets got the chat:\n%s", n, out.String())
	}
}

// TestMainReconnectStorm: the storm runs and the watchers stay connected.
func TestMainReconnectStorm(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"-reconnect-storm", "-clients", "3", "-duration", "1s"}, &out, &out); err != nil {
		t.Fatalf("Main = %v\n%s", err, out.String())
	}
	if n := field(t, out.String(), `(\d+) upgraded`); n == 0 {
		t.Errorf("no reconnect was upgraded:\n%s", out.String())
	}
	if n := field(t, out.String(), `others closed\s+(\d+)`); n != 0 {
		t.Errorf("%d watchers closed:\n%s", n, out.String())
	}
}

// TestMainIdle builds gmc and weighs a child server with a few idle sockets.
func TestMainIdle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gmc")
	}
	t.Parallel()
	gmcPath := filepath.Join(t.TempDir(), "gmc")
	build := exec.Command("go", "build", "-o", gmcPath, "github.com/gmc-project/gmc/cmd/gmc")
	if b, err := build.CombinedOutput(); err != nil {
		t.Skipf("cannot build gmc: %v\n%s", err, b)
	}
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"-idle", "30", "-settle", "1s", "-gmc", gmcPath}, &out, &out); err != nil {
		t.Fatalf("Main = %v\n%s", err, out.String())
	}
	if !regexp.MustCompile(`idle sockets 30 +server RSS [0-9.]+ MiB → [0-9.]+ MiB: -?[0-9.]+ KiB per socket`).MatchString(out.String()) {
		t.Errorf("no RSS line in:\n%s", out.String())
	}
}
