package testenv

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// PostgresReplica starts a throw-away PostgreSQL primary (initdb in a
// temporary directory, on a free port) and a streaming replica of it
// (pg_basebackup -R), both stopped when t ends, and returns their URLs.
// The shared test server is not used: making a replica of it would need
// replication rights in its pg_hba.conf, which tests must not change.
func PostgresReplica(t testing.TB) (primary, replica string) {
	t.Helper()
	bin := postgresBinDir()
	if bin == "" {
		unavailable(t, "PostgreSQL replica", "install the PostgreSQL server binaries (initdb, postgres, pg_basebackup)")
	}
	primary, stop, err := startPostgres(bin)
	if err != nil {
		t.Fatalf("testenv: primary: %v", err)
	}
	t.Cleanup(stop)
	acct, err := postgresAccount()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "gmc-pg-replica-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if acct != nil {
		if err := os.Chown(dir, int(acct.uid), int(acct.gid)); err != nil {
			t.Fatal(err)
		}
	}
	u, err := url.Parse(primary)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	// initdb's --auth=trust admits replication connections from loopback;
	// -R writes standby.signal and primary_conninfo, so the copy starts
	// as a streaming hot standby.
	if err := run(filepath.Join(bin, "pg_basebackup"), []string{"-h", u.Hostname(), "-p", u.Port(), "-U", "postgres", "-D", data,
		"-R", "-X", "stream", "--no-sync", "-c", "fast"}, dir, acct); err != nil {
		t.Fatalf("testenv: pg_basebackup: %v", err)
	}
	replica, p, err := runPostgres(bin, dir, data, acct)
	if err != nil {
		t.Fatalf("testenv: replica: %v", err)
	}
	t.Cleanup(func() { p.stop(os.Interrupt) })
	return primary, replica
}
