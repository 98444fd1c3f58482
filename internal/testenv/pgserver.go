package testenv

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// PGServer is a PostgreSQL server of one test's own, which the test may
// stop and start again on the same port: for fault tests that must not
// disturb the server every other test shares.
type PGServer struct {
	t        testing.TB
	bin, dir string
	data     string
	acct     *account
	port     int
	url      string
	mu       sync.Mutex
	running  *proc
}

// PrivatePostgres starts a throw-away PostgreSQL cluster for t alone and
// removes it when t ends. It needs the server binaries (initdb,
// postgres); without them it skips, or fails under CI.
func PrivatePostgres(t testing.TB) *PGServer {
	t.Helper()
	bin := postgresBinDir()
	if bin == "" {
		unavailable(t, "private PostgreSQL", "install the PostgreSQL server binaries (initdb, postgres)")
	}
	acct, err := postgresAccount()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	dir, err := os.MkdirTemp("", "gmc-pgprivate-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if acct != nil {
		if err := os.Chown(dir, int(acct.uid), int(acct.gid)); err != nil {
			t.Fatal(err)
		}
	}
	s := &PGServer{t: t, bin: bin, dir: dir, data: filepath.Join(dir, "data"), acct: acct}
	if err := run(filepath.Join(bin, "initdb"), []string{"-D", s.data, "-U", "postgres", "--auth=trust", "--no-sync", "--encoding=UTF8", "--locale=C"}, dir, acct); err != nil {
		t.Fatalf("testenv: initdb: %v", err)
	}
	if s.port, err = freePort(); err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's connection URL (database postgres, user postgres).
func (s *PGServer) URL() string { return s.url }

// DatabaseURL is the URL of database name on this server.
func (s *PGServer) DatabaseURL(name string) string {
	u, _ := url.Parse(s.url)
	u.Path = "/" + name
	return u.String()
}

// Start starts the server on its port and waits until it accepts
// connections; it does nothing when the server runs.
func (s *PGServer) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running != nil {
		return
	}
	u, p, err := runPostgresOn(s.bin, s.dir, s.data, s.acct, s.port)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
		s.t.Fatalf("testenv: start PostgreSQL on port %s: %v\n%s", strconv.Itoa(s.port), err, log)
	}
	s.url, s.running = u, p
}

// Stop shuts the server down the way an operator's restart does (fast
// shutdown: open sessions are ended) and waits until it has exited.
func (s *PGServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running == nil {
		return
	}
	s.running.stop(os.Interrupt)
	s.running = nil
}

// String names the server in test output.
func (s *PGServer) String() string { return fmt.Sprintf("PostgreSQL on port %d", s.port) }
