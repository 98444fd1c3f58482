package wsbench

import (
	"bytes"
	"context"
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
