package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := config.Load("migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) != 1 || (rest[0] != "up" && rest[0] != "status") {
		return fmt.Errorf("usage: gmc migrate [flags] up|status")
	}
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if rest[0] == "up" {
		n, err := st.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: applied %d migration(s)\n", st.Backend(), n)
		// River's job tables live in the same database and follow their
		// own numbering.
		rn, err := app.MigrateJobs(ctx, st, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: applied %d job queue migration(s)\n", st.Backend(), rn)
		return nil
	}
	list, err := st.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "VERSION\tSTATE\tAPPLIED AT\tFILE\n")
	for _, m := range list {
		state, at := "pending", ""
		if m.Applied {
			state, at = "applied", m.AppliedAt.UTC().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%05d\t%s\t%s\t%s\n", m.Version, state, at, m.Name)
	}
	return errors.Join(tw.Flush())
}
