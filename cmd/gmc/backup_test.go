package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var cheapPasswords = app.WithPasswordParams(service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1})

// TestBackupRestoreSQLite backs up a data dir while the app writes to it,
// restores the archive into an empty dir and reads everything back.
func TestBackupRestoreSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := t.TempDir()
	cfg := config.Config{DataDir: dataDir}
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), "test", cheapPasswords)
	if err != nil {
		t.Fatal(err)
	}
	svc := a.Service()
	gm, err := svc.Register(ctx, service.RegisterParams{Email: "gm@example.com", Password: "correct horse battery", DisplayName: "GM"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCampaign(ctx, gm.ID, service.CampaignParams{Name: "Before"}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dataDir, "files", "recordings"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, "files", "recordings", "r1"), []byte("audio"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Campaigns keep being created while the backup runs.
	var wg sync.WaitGroup
	var written atomic.Int64
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := svc.CreateCampaign(ctx, gm.ID, service.CampaignParams{Name: fmt.Sprint("During ", i)}); err != nil {
				t.Errorf("CreateCampaign during the backup: %v", err)
				return
			}
			written.Add(1)
		}
	}()
	for written.Load() < 3 {
		time.Sleep(time.Millisecond) // let the writer get going
	}
	archive := filepath.Join(t.TempDir(), "gmc.tar.gz")
	var out, errOut bytes.Buffer
	getenv := func(env map[string]string) func(string) string { return func(k string) string { return env[k] } }
	err = run(ctx, []string{"backup", archive}, getenv(map[string]string{"GMC_DATA_DIR": dataDir}), &out, &errOut)
	close(stop)
	wg.Wait()
	a.Close()
	if err != nil {
		t.Fatalf("gmc backup = %v (%s)", err, errOut.String())
	}
	if st, err := os.Stat(archive); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("archive: %v, mode %v; want 0600 (it holds the secret key)", err, st.Mode().Perm())
	}
	if err := run(ctx, []string{"backup", archive}, getenv(map[string]string{"GMC_DATA_DIR": dataDir}), &out, &errOut); err == nil {
		t.Errorf("a second backup over the first = nil, want a refusal")
	}

	restored := filepath.Join(t.TempDir(), "restored")
	if err := run(ctx, []string{"restore", archive}, getenv(map[string]string{"GMC_DATA_DIR": restored}), &out, &errOut); err != nil {
		t.Fatalf("gmc restore = %v", err)
	}
	if err := run(ctx, []string{"restore", archive}, getenv(map[string]string{"GMC_DATA_DIR": restored}), &out, &errOut); err == nil || !strings.Contains(err.Error(), "already holds a database") {
		t.Errorf("restore over a database = %v, want a refusal", err)
	}
	for _, f := range []string{"secret.key", filepath.Join("files", "recordings", "r1")} {
		want, _ := os.ReadFile(filepath.Join(dataDir, f))
		got, err := os.ReadFile(filepath.Join(restored, f))
		if err != nil || !bytes.Equal(got, want) || len(want) == 0 {
			t.Errorf("%s restored = %q, %v; want %q", f, got, err, want)
		}
	}
	st, err := app.OpenStore(ctx, config.Config{DataDir: restored})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.UserByEmail(ctx, "gm@example.com"); err != nil {
		t.Errorf("restored user: %v", err)
	}
	cs, _, err := st.Campaigns(ctx, store.CampaignFilter{MemberID: gm.ID, Page: gmc.Page{Limit: gmc.MaxPageSize}})
	if err != nil || len(cs) < 4 {
		t.Errorf("restored campaigns = %d, %v; want Before and at least the 3 made before the backup began", len(cs), err)
	}
	if n, err := st.Migrate(ctx); err != nil || n != 0 {
		t.Errorf("Migrate on the restored database = %d, %v; want 0 pending", n, err)
	}
}

// TestRestoreRefusesBadArchives: an archive that would write outside the
// data dir, or holds no database, changes nothing that looks complete.
func TestRestoreRefusesBadArchives(t *testing.T) {
	t.Parallel()
	tarGz := func(files map[string]string) string {
		var b bytes.Buffer
		gz := gzip.NewWriter(&b)
		tw := tar.NewWriter(gz)
		for name, body := range files {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o600, Size: int64(len(body))}); err != nil {
				t.Fatal(err)
			}
			tw.Write([]byte(body))
		}
		tw.Close()
		gz.Close()
		p := filepath.Join(t.TempDir(), "b.tar.gz")
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"escapes", map[string]string{"../evil": "x"}, "outside the data dir"},
		{"absolute", map[string]string{"/etc/evil": "x"}, "outside the data dir"},
		{"no database", map[string]string{"secret.key": "x"}, "holds no gmc.db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "data")
			env := map[string]string{"GMC_DATA_DIR": dir}
			err := run(context.Background(), []string{"restore", tarGz(tc.files)}, func(k string) string { return env[k] }, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("restore = %v, want an error saying %q", err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "gmc.db")); err == nil {
				t.Errorf("a refused restore left a gmc.db")
			}
		})
	}
}

// TestPostgresBackupGuide: gmc backup on PostgreSQL prints the pg_dump and
// pg_restore commands; run as printed, they copy a gmc database into a
// fresh one that gmc's store opens with all its data.
func TestPostgresBackupGuide(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed (Debian postgresql-client)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	ctx := context.Background()
	src, dst := freshDatabase(t), freshDatabase(t)
	a, err := app.New(ctx, config.Config{DataDir: t.TempDir(), DatabaseURL: src}, slog.New(slog.DiscardHandler), "test", cheapPasswords)
	if err != nil {
		t.Fatal(err)
	}
	gm, err := a.Service().Register(ctx, service.RegisterParams{Email: "gm@example.com", Password: "correct horse battery", DisplayName: "GM"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Service().CreateCampaign(ctx, gm.ID, service.CampaignParams{Name: "Barovia"})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	var out bytes.Buffer
	env := map[string]string{"GMC_DATABASE_URL": src}
	err = run(ctx, []string{"backup", filepath.Join(t.TempDir(), "x.tar.gz")}, func(k string) string { return env[k] }, &out, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("gmc backup on PostgreSQL = %v, want an error pointing to pg_dump", err)
	}
	dump := filepath.Join(t.TempDir(), "gmc.dump")
	for _, args := range [][]string{pgDumpArgs("$GMC_DATABASE_URL", "gmc.dump"), pgRestoreArgs("$NEW_DATABASE_URL", "gmc.dump")} {
		if !strings.Contains(out.String(), shellJoin(args)) {
			t.Errorf("guide does not show %q:\n%s", shellJoin(args), out.String())
		}
	}
	for _, args := range [][]string{pgDumpArgs(src, dump), pgRestoreArgs(dst, dump)} {
		if b, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, b)
		}
	}

	st, err := app.OpenStore(ctx, config.Config{DatabaseURL: dst})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.Migrate(ctx); err != nil || n != 0 {
		t.Errorf("Migrate on the restored database = %d, %v; want 0 pending", n, err)
	}
	u, err := st.UserByEmail(ctx, "gm@example.com")
	if err != nil || u.ID != gm.ID {
		t.Fatalf("restored user = %v, %v", u, err)
	}
	got, err := st.Campaign(ctx, c.ID)
	if err != nil || got.Name != "Barovia" {
		t.Errorf("restored campaign = %v, %v", got, err)
	}
	evs, _, err := st.Events(ctx, store.EventFilter{CampaignID: c.ID})
	if err != nil || len(evs) == 0 {
		t.Errorf("restored audit events = %d, %v", len(evs), err)
	}
	if n, err := app.MigrateJobs(ctx, st, slog.New(slog.DiscardHandler)); err != nil || n != 0 {
		t.Errorf("job queue migrations on the restored database = %d, %v; want 0 pending", n, err)
	}
}

// freshDatabase creates an empty database on the test server, dropped at
// the end, and returns its URL.
func freshDatabase(t *testing.T) string {
	t.Helper()
	base := testenv.PostgresURL(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal("GMC_TEST_POSTGRES_URL does not parse")
	}
	name := fmt.Sprintf("gmcbackup_%d_%d", os.Getpid(), dbCounter.Add(1))
	exec := func(sql string) error {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(context.Background(), sql)
		return err
	}
	ident := pgx.Identifier{name}.Sanitize()
	if err := exec("CREATE DATABASE " + ident); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if err := exec("DROP DATABASE IF EXISTS " + ident + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

var dbCounter atomic.Int64
