package wsbench

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestEvening runs a small evening on the embedded database and checks
// that every route was exercised without an error and that every segment
// reached every socket.
func TestEvening(t *testing.T) {
	var out bytes.Buffer
	err := LoadMain(context.Background(), []string{"-groups", "2", "-players", "3", "-duration", "4s",
		"-segment-every", "500ms", "-think", "100ms", "-gm-every", "100ms"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	report := out.String()
	t.Log(report)
	for _, route := range eveningRoutes {
		line := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(route) + `\s+(\d+)\s.*\s(\d+)\s*$`).FindStringSubmatch(report)
		if line == nil {
			t.Errorf("no line for %s", route)
			continue
		}
		if line[1] == "0" || line[2] != "0" {
			t.Errorf("%s: %s requests, %s errors; want some and none", route, line[1], line[2])
		}
	}
	m := regexp.MustCompile(`sockets (\d+) \(errors (\d+)\); segments posted (\d+), delivered (\d+) of (\d+) expected`).FindStringSubmatch(report)
	if m == nil {
		t.Fatal("no socket line")
	}
	if m[1] != "8" || m[2] != "0" || m[4] != m[5] || m[3] == "0" {
		t.Errorf("sockets: %s", m[0])
	}
	if strings.Contains(report, "first error") {
		t.Error("a request failed")
	}
}
