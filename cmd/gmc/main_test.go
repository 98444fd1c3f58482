package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/testenv"
)

// syncBuffer is a log sink the server goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeOnEmbeddedDefaults runs `gmc serve` the way the README does,
// with nothing but a data dir, and stops it like SIGTERM would.
func TestServeOnEmbeddedDefaults(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	addr := freeAddr(t)
	env := map[string]string{"GMC_DATA_DIR": dataDir, "GMC_ADDR": addr, "GMC_LOG_FORMAT": "json"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, &bytes.Buffer{}, logs)
	}()

	var res *http.Response
	var err error
	// Start-up loads PocketSphinx's model when it is installed, which on a
	// busy machine takes seconds.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		if res, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v\nlogs:\n%s", err, logs.String())
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/healthz = %d", res.StatusCode)
	}
	// The log names the console's address, and the console is there.
	if want := `"url":"http://` + addr + `/"`; !strings.Contains(logs.String(), want) {
		t.Errorf("the logs do not name the console's address %s:\n%s", want, logs.String())
	}
	if res, err = http.Get("http://" + addr + "/"); err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "/console/app.js") {
		t.Errorf("GET / = %d %.200s, want the console", res.StatusCode, page)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}

	fi, err := os.Stat(filepath.Join(dataDir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret.key mode = %v, want 0600", fi.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(dataDir, "gmc.db")); err != nil {
		t.Errorf("no SQLite database in the data dir: %v", err)
	}
	l := logs.String()
	for _, want := range []string{`"database":"sqlite"`, `"realtime":"memory"`, `"route":"GET /healthz"`} {
		if !strings.Contains(l, want) {
			t.Errorf("logs lack %s:\n%s", want, l)
		}
	}
	key, _ := os.ReadFile(filepath.Join(dataDir, "secret.key"))
	if strings.Contains(l, strings.TrimSpace(string(key))) {
		t.Error("the secret key appears in the logs")
	}
}

func TestMigrateAndVersion(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GMC_DATA_DIR": t.TempDir()}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "up"}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate", "status"}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "00001") || !strings.Contains(out.String(), "applied") {
		t.Errorf("migrate status = %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"version"}, getenv, &out, &out); err != nil || !strings.HasPrefix(out.String(), "gmc ") {
		t.Errorf("version = %q, %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"serve", "-addr", "nonsense"}, getenv, &out, &out); err == nil || !strings.Contains(err.Error(), "GMC_ADDR") {
		t.Errorf("bad addr error = %v, want one naming GMC_ADDR", err)
	}
}

func TestReferenceImport(t *testing.T) {
	t.Parallel()
	srd := testenv.SRDDir(t)
	env := map[string]string{"GMC_DATA_DIR": t.TempDir()}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	if err := run(context.Background(), []string{"reference", "import", srd}, getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "spell") || !strings.Contains(out.String(), "Creative Commons") {
		t.Errorf("first import output:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"reference", "import", srd}, getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), " 0 new, 0 updated") {
		t.Errorf("second import is not a no-op:\n%s", out.String())
	}
}

// TestHelpSucceeds checks that asking a command for its flags prints them
// and is not an error (a shell sees exit status 0).
func TestHelpSucceeds(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"serve", "-h"}, {"migrate", "-h"}, {"demo", "-help"}, {"help"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut)
		if err != nil {
			t.Errorf("run %v = %v, want nil", args, err)
		}
		if out.Len()+errOut.Len() == 0 {
			t.Errorf("run %v printed nothing", args)
		}
	}
	var errOut bytes.Buffer
	_ = run(context.Background(), []string{"serve", "-h"}, func(string) string { return "" }, io.Discard, &errOut)
	if !strings.Contains(errOut.String(), "GMC_SHUTDOWN_TIMEOUT") || !strings.Contains(errOut.String(), "GMC_DATABASE_URL") {
		t.Errorf("serve -h does not list the settings' variables:\n%s", errOut.String())
	}
}

// TestServeWithRedisDown: a GMC_REDIS_URL at which nothing answers stops
// `gmc serve` with one line naming the setting, not a panic.
func TestServeWithRedisDown(t *testing.T) {
	t.Parallel()
	redisAddr := freeAddr(t) // free, so nothing listens there
	env := map[string]string{
		"GMC_DATA_DIR":  filepath.Join(t.TempDir(), "data"),
		"GMC_ADDR":      freeAddr(t),
		"GMC_REDIS_URL": "redis://:hunter2@" + redisAddr + "/0",
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve"}, func(k string) string { return env[k] }, &bytes.Buffer{}, &syncBuffer{})
	if err == nil {
		t.Fatal("serve with Redis down returned nil, want an error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "GMC_REDIS_URL: ") || !strings.Contains(msg, redisAddr) || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line naming GMC_REDIS_URL and %s", msg, redisAddr)
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error %q shows the Redis password", msg)
	}
}
