// Command gmc is GameMaster's Companion: one binary that serves a game
// master's campaign world, live table sessions and tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/gmc-project/gmc/internal/config"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gmc:", err)
		os.Exit(1)
	}
}

const usage = `gmc — GameMaster's Companion

Usage:
  gmc serve [flags]            run the server (SQLite in ./data unless GMC_DATABASE_URL is set)
  gmc migrate up|status        apply or list database migrations
  gmc reference import <dir>   load D&D 5e SRD data (5e-database JSON files) for cards and search
  gmc demo [email]             create a demo GM account and a rich demo campaign
  gmc transcribe [-diarize] f  print a speaker-labelled transcript of a recording (WAV, FLAC, Ogg, zip of tracks)
  gmc backup <file>            write the SQLite database and data dir to a .tar.gz while serving
  gmc restore <file>           unpack such a backup into an empty data dir
  gmc bench <tool>             benchmarks (gmc bench for the list)
  gmc version                  print the version

Run "gmc <command> -h" for a command's flags.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h printed the flags it was asked for; that is not a failure
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "reference":
		return runReference(ctx, rest, getenv, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, getenv, stdout, stderr)
	case "transcribe":
		return runTranscribe(ctx, rest, getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, getenv, stdout, stderr)
	case "restore":
		return runRestore(ctx, rest, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "gmc", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
