package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresURL returns the URL of a PostgreSQL server for tests:
// GMC_TEST_POSTGRES_URL when set, else a throw-away server shared by the
// test process. Tests should not write to it directly; PostgresSchema gives
// each its own schema.
func PostgresURL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("GMC_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	bin := postgresBinDir()
	if bin == "" {
		unavailable(t, "PostgreSQL", "set GMC_TEST_POSTGRES_URL=postgres://user@host:port/db?sslmode=disable or install the PostgreSQL server binaries (initdb, postgres)")
	}
	return postgresServer.get(t, "PostgreSQL", func() (string, func(), error) { return startPostgres(bin) })
}

// PostgresSchema creates a fresh, empty schema on the PostgresURL server
// and returns a connection URL whose search_path is that schema, so
// unqualified tables (and goose's version table) land in it. The schema is
// dropped, with everything in it, when t ends; close connections to it in
// a cleanup registered after this call.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	schema := "gmctest_" + randomHex(8)
	ident := pgx.Identifier{schema}.Sanitize()
	if err := pgExec(base, "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("testenv: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if err := pgExec(base, "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("testenv: drop schema %s: %v", schema, err)
		}
	})
	u, err := withSearchPath(base, schema)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return u
}

// withSearchPath adds search_path to a URL or key=value connection string;
// pgx sends unknown parameters to the server as session settings.
func withSearchPath(base, schema string) (string, error) {
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return base + " search_path=" + schema, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		// Not %w: the error quotes the URL, and with it any password.
		return "", errors.New("the PostgreSQL URL does not parse")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// pgExec runs one statement on its own short connection.
func pgExec(connString, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// postgresBinDir finds a directory holding initdb and postgres, or "".
func postgresBinDir() string {
	// Debian and Ubuntu keep the server binaries off PATH, one directory
	// per major version; take the newest.
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	// Elsewhere (Homebrew, most other distributions) they are on PATH,
	// possibly as symlinks into such a directory.
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "postgres")) {
			return d
		}
	}
	return ""
}

func pgMajor(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// postgresAccount returns the account to run PostgreSQL as: nil (the
// current user) unless we are root, which PostgreSQL refuses to run as;
// then the "postgres" user that server packages create.
func postgresAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, which PostgreSQL refuses, and there is no \"postgres\" user to run it as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user postgres: %w", err)
	}
	return &account{uid: uint32(uid), gid: uint32(gid)}, nil
}

// startPostgres creates a cluster in a temporary directory and starts it
// on a free loopback port; stop shuts it down and removes the directory.
func startPostgres(bin string) (connURL string, stop func(), err error) {
	acct, err := postgresAccount()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "gmc-pg-")
	if err != nil {
		return "", nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if acct != nil {
		// The server writes its socket and lock file here, as postgres.
		if err := os.Chown(dir, int(acct.uid), int(acct.gid)); err != nil {
			return "", nil, err
		}
	}
	data := filepath.Join(dir, "data")
	// Trust authentication on loopback only; --no-sync because the cluster
	// dies with the test run anyway.
	if err := run(filepath.Join(bin, "initdb"), []string{"-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "--encoding=UTF8", "--locale=C"}, dir, acct); err != nil {
		return "", nil, err
	}
	for attempt := 1; ; attempt++ {
		u, p, err := runPostgres(bin, dir, data, acct)
		if err == nil {
			return u, func() { p.stop(os.Interrupt); os.RemoveAll(dir) }, nil
		}
		if attempt == 3 { // probably not a lost race for the port
			return "", nil, err
		}
	}
}

// runPostgres starts the server on a free port and waits until it accepts
// connections.
func runPostgres(bin, dir, data string, acct *account) (string, *proc, error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	return runPostgresOn(bin, dir, data, acct, port)
}

// runPostgresOn starts the server on port and waits until it accepts
// connections.
func runPostgresOn(bin, dir, data string, acct *account, port int) (string, *proc, error) {
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-h", "127.0.0.1", "-k", dir,
		// Durability buys nothing for a throw-away cluster and costs the
		// tests most of their time.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"}
	// SIGQUIT on parent death: immediate shutdown, nothing worth saving.
	p, err := startProc("postgres", filepath.Join(bin, "postgres"), args, dir, filepath.Join(dir, "postgres.log"), acct, syscall.SIGQUIT)
	if err != nil {
		return "", nil, err
	}
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	err = waitReady(p, 60*time.Second, func(ctx context.Context) error {
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			return err
		}
		return conn.Close(ctx)
	})
	if err != nil {
		return "", nil, err
	}
	return u, p, nil
}
