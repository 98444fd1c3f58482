package apibench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "defaults"},
		{name: "clients", args: []string{"--clients", "1,8"}},
		{name: "bad clients", args: []string{"--clients", "8,x"}, wantErr: "--clients"},
		{name: "zero clients", args: []string{"--clients", "0"}, wantErr: "--clients"},
		{name: "unknown endpoint", args: []string{"--endpoints", "campaign,plots"}, wantErr: "--endpoints"},
		{name: "no rounds", args: []string{"--rounds", "0"}, wantErr: "--rounds"},
	}
	for _, tc := range tests {
		_, err := parseFlags(tc.args, io.Discard)
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: parseFlags(%q) = %v, want an error naming %q", tc.name, tc.args, err, tc.wantErr)
		}
	}
}

// drive counts answers and errors of a real server, and ends on time.
func TestDrive(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%10 == 0 {
			http.Error(w, "every tenth fails", http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	req := func(int64) (*http.Request, error) { return http.NewRequest(http.MethodGet, srv.URL, nil) }
	start := time.Now()
	s := drive(context.Background(), srv.Client(), 4, 300*time.Millisecond, req)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("drive ran %s for a 300ms run", d)
	}
	if s.requests == 0 || s.errors == 0 || !strings.Contains(s.firstError, "status 500") {
		t.Errorf("drive = %+v, want answers and the failures counted", s)
	}
	if s.p50 <= 0 || s.p50 > s.p95 || s.p95 > s.p99 {
		t.Errorf("percentiles p50 %s p95 %s p99 %s are not ordered", s.p50, s.p95, s.p99)
	}
}

// The whole command on SQLite: gmc and the floor both answer every
// request kind without errors, and each gets a row and a ratio.
func TestMainSQLite(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var out, errOut bytes.Buffer
	err := Main(context.Background(), []string{"--clients", "2", "--duration", "1s", "--rounds", "1"}, &out, &errOut)
	if err != nil {
		t.Fatalf("Main = %v\n%s", err, errOut.String())
	}
	text := out.String()
	for _, label := range []string{"GET camp", "GET chars", "POST char"} {
		for _, who := range []string{"gmc", "floor", "ratio gmc/floor"} {
			found := false
			for _, line := range strings.Split(text, "\n") {
				if strings.HasPrefix(line, label) && (strings.Contains(line, " "+who+" ") || strings.Contains(line, " "+who+":")) {
					found = true
					if who != "ratio gmc/floor" && !strings.HasSuffix(strings.TrimSpace(line), " 0") {
						t.Errorf("%s %s had errors: %s", label, who, line)
					}
				}
			}
			if !found {
				t.Errorf("no %q row for %s in:\n%s", who, label, text)
			}
		}
	}
	left, err := os.ReadDir(os.Getenv("TMPDIR"))
	if err != nil || len(left) != 0 {
		t.Errorf("left behind in the temporary directory: %v %v", left, err)
	}
}
