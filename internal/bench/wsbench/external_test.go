package wsbench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// The Centrifugo side of -external needs a centrifugo binary, which CI does
// not have; these tests cover the gmc side and the /proc readings.

// TestMainExternal builds gmc and runs a tiny load against a child server:
// every message is delivered, and the server's CPU and memory are read.
func TestMainExternal(t *testing.T) {
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
	args := []string{"-external", "-sessions", "2", "-clients", "3", "-rate", "10", "-duration", "2s", "-gmc", gmcPath}
	if err := Main(context.Background(), args, &out, &out); err != nil {
		t.Fatalf("Main = %v\n%s", err, out.String())
	}
	row := regexp.MustCompile(`(?m)^gmc +(\d+) +(\d+) +\d+ +(\d+) +([0-9.]+)% +\S+ +\S+ +(\d+) +([0-9.]+) +([0-9.]+) +(-?[0-9.]+) KiB +[0-9.]+$`).FindStringSubmatch(out.String())
	if row == nil {
		t.Fatalf("no gmc row in:\n%s", out.String())
	}
	num := func(i int) float64 { f, _ := strconv.ParseFloat(row[i], 64); return f }
	if num(1) != 6 || num(2) != 60 {
		t.Errorf("sockets %v, offered %v/s; want 6 and 60:\n%s", row[1], row[2], out.String())
	}
	if num(4) != 100 || num(5) != 0 {
		t.Errorf("delivered %v%% with %v errors, want 100%% and 0:\n%s", row[4], row[5], out.String())
	}
	if num(7) <= 0 {
		t.Errorf("CPU per message %v µs, want > 0:\n%s", row[7], out.String())
	}
}

func TestCPUTimeGrowsWithWork(t *testing.T) {
	t.Parallel()
	before, err := cpuTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Spin until the process has used 50 ms of CPU: on a busy machine that
	// takes longer than 50 ms, but a reading that never grows fails.
	after := before
	for end := time.Now().Add(5 * time.Second); after-before < 50*time.Millisecond && time.Now().Before(end); {
		if after, err = cpuTime(os.Getpid()); err != nil {
			t.Fatal(err)
		}
	}
	if after-before < 50*time.Millisecond {
		t.Errorf("cpuTime grew %v over 5 s of spinning, want ≥ 50 ms", after-before)
	}
}

func TestKept(t *testing.T) {
	t.Parallel()
	// 2 sockets at 1 msg/s for 5 s: 10 sent, each to a session of 2.
	all := ExternalReport{Sockets: 2, Rate: 1, Report: Report{Sent: 10, Expected: 20, Delivered: 20, Elapsed: 5 * time.Second, P99: 40 * time.Millisecond}}
	tests := []struct {
		name string
		edit func(*ExternalReport)
		want bool
	}{
		{"all delivered in time", func(*ExternalReport) {}, true},
		{"one lost", func(r *ExternalReport) { r.Delivered-- }, false},
		{"p99 over 100 ms", func(r *ExternalReport) { r.P99 = 101 * time.Millisecond }, false},
		{"an error", func(r *ExternalReport) { r.Errors = 1 }, false},
		{"nothing sent", func(r *ExternalReport) { r.Sent, r.Expected, r.Delivered = 0, 0, 0 }, false},
		{"sent under 95% of the offer", func(r *ExternalReport) { r.Sent, r.Expected, r.Delivered = 9, 18, 18 }, false},
	}
	for _, tt := range tests {
		r := all
		tt.edit(&r)
		if got := r.Kept(); got != tt.want {
			t.Errorf("%s: Kept() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
