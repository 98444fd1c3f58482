package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/store/sqlite"
)

// dbFile is the SQLite database's name in the data dir and in a backup.
const dbFile = "gmc.db"

// runBackup writes the SQLite database and the data dir's other files
// (file store, secret key) into one .tar.gz while the server runs. For
// PostgreSQL it prints how to back up with pg_dump instead.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := config.Load("backup", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: gmc backup [flags] <file.tar.gz>")
	}
	if cfg.DatabaseBackend() == "postgres" {
		fmt.Fprint(stdout, postgresBackupGuide(cfg))
		return errors.New("backup: the database is PostgreSQL; back it up with pg_dump as shown above")
	}
	out := rest[0]
	// The archive holds the secret key: only its owner may read it.
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	err = writeBackup(ctx, cfg.DataDir, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(stdout, "backup of %s written to %s\n", cfg.DataDir, out)
	return nil
}

func writeBackup(ctx context.Context, dataDir string, w io.Writer) error {
	if _, err := os.Stat(filepath.Join(dataDir, dbFile)); err != nil {
		return fmt.Errorf("backup: no database in GMC_DATA_DIR (%w)", err)
	}
	tmp, err := os.MkdirTemp(dataDir, ".backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	db, err := sqlite.Open(filepath.Join(dataDir, dbFile))
	if err != nil {
		return err
	}
	snapshot := filepath.Join(tmp, dbFile)
	err = db.BackupTo(ctx, snapshot)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	if err := addFile(tw, snapshot, dbFile); err != nil {
		return err
	}
	err = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dataDir, p)
		if err != nil || rel == "." {
			return err
		}
		name := filepath.ToSlash(rel)
		switch {
		case d.IsDir() && p == tmp:
			return fs.SkipDir
		case name == dbFile || name == dbFile+"-wal" || name == dbFile+"-shm" || name == dbFile+"-journal":
			return nil // the snapshot stands for them
		case d.IsDir():
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o700})
		case !d.Type().IsRegular():
			return nil
		}
		return addFile(tw, p, name)
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func addFile(tw *tar.Writer, p, name string) error {
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted (a purged recording) since the walk listed it
		}
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime()}); err != nil {
		return err
	}
	// A file that grows while it is copied is cut at its size when
	// listed; one that shrinks fails the backup rather than pad it.
	_, err = io.Copy(tw, io.LimitReader(f, st.Size()))
	return err
}

// runRestore unpacks a backup made by runBackup into an empty data dir.
func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := config.Load("restore", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: gmc restore [flags] <file.tar.gz>")
	}
	if cfg.DatabaseBackend() == "postgres" {
		fmt.Fprint(stdout, postgresBackupGuide(cfg))
		return errors.New("restore: the database is PostgreSQL; restore it with pg_restore as shown above")
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, dbFile)); err == nil {
		return fmt.Errorf("restore: %s already holds a database; restore into an empty GMC_DATA_DIR (stop the server, move the old one away)", cfg.DataDir)
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("GMC_DATA_DIR: %w", err)
	}
	// The database is unpacked under another name and renamed last, so
	// that a restore cut short leaves no database that looks complete.
	n, err := unpack(f, cfg.DataDir)
	if err != nil {
		return err
	}
	staged := filepath.Join(cfg.DataDir, ".restore-"+dbFile)
	db, err := sqlite.Open(staged)
	if err != nil {
		return err
	}
	err = db.Ping(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore: the backup's database does not open: %w", err)
	}
	if err := os.Rename(staged, filepath.Join(cfg.DataDir, dbFile)); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restored %d file(s) into %s; gmc serve brings the schema up to date\n", n, cfg.DataDir)
	return nil
}

// unpack writes the archive's files under dir and returns how many.
func unpack(r io.Reader, dir string) (int, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return 0, fmt.Errorf("restore: not a gmc backup (.tar.gz): %w", err)
	}
	tr := tar.NewReader(gz)
	n, sawDB := 0, false
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("restore: %w", err)
		}
		name := path.Clean(h.Name)
		if !fs.ValidPath(name) || strings.HasPrefix(name, ".restore-") {
			return n, fmt.Errorf("restore: the backup holds a path outside the data dir: %q", h.Name)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if name == dbFile {
			target, sawDB = filepath.Join(dir, ".restore-"+dbFile), true
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o700); err != nil {
				return n, fmt.Errorf("restore: %w", err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
				return n, fmt.Errorf("restore: %w", err)
			}
			if err := writeFile(target, tr); err != nil {
				return n, fmt.Errorf("restore: %w", err)
			}
			n++
		default:
			return n, fmt.Errorf("restore: the backup holds %q, neither a file nor a directory", h.Name)
		}
	}
	if !sawDB {
		return n, fmt.Errorf("restore: the backup holds no %s", dbFile)
	}
	return n, nil
}

func writeFile(p string, r io.Reader) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return errors.Join(err, f.Close())
}

// postgresBackupGuide tells how to back up and restore a PostgreSQL
// deployment; the commands are those of pgDumpArgs and pgRestoreArgs,
// which the tests run.
func postgresBackupGuide(cfg config.Config) string {
	var b strings.Builder
	b.WriteString(`gmc keeps everything of a PostgreSQL deployment (its tables and the job
queue's) in the one database GMC_DATABASE_URL names. Back it up with
PostgreSQL's own tools, which take a consistent snapshot while gmc runs:

  ` + shellJoin(pgDumpArgs("$GMC_DATABASE_URL", "gmc.dump")) + `

Restore into a fresh, empty database (created with CREATE DATABASE by a
role that may create the extensions pg_trgm and fuzzystrmatch), then point
GMC_DATABASE_URL at it; gmc serve applies any newer migrations:

  ` + shellJoin(pgRestoreArgs("$NEW_DATABASE_URL", "gmc.dump")) + `

`)
	if cfg.Blob == "s3" {
		b.WriteString("Files are in the S3 bucket " + cfg.S3Bucket + ": back it up with the store's own tools.\n")
	} else {
		b.WriteString("Files are in " + filepath.Join(cfg.DataDir, "files") + " and the secret key in " + cfg.DataDir + ": copy the data dir too.\n")
	}
	return b.String()
}

// pgDumpArgs dumps a database in pg_dump's custom format, without owners
// and grants so that it restores under any role.
func pgDumpArgs(dbURL, file string) []string {
	return []string{"pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file=" + file, "--dbname=" + dbURL}
}

// pgRestoreArgs restores such a dump into an empty database, stopping at
// the first error rather than leaving half a database.
func pgRestoreArgs(dbURL, file string) []string {
	return []string{"pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname=" + dbURL, file}
}

func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " '\"&;|") {
			a = `"` + a + `"`
		} else if strings.Contains(a, "$") {
			a = strings.Replace(a, "=$", `="$`, 1) + `"`
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
