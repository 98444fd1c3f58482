package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/reference"
)

func runReference(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("usage: gmc reference import [flags] <dir of 5e-SRD-*.json files>")
	}
	cfg, rest, err := config.Load("reference import", args[1:], getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("usage: gmc reference import [flags] <dir of 5e-SRD-*.json files>")
	}
	a, err := app.New(ctx, cfg, newLogger(cfg, stderr), version)
	if err != nil {
		return err
	}
	res, err := a.Service().ImportReference(ctx, rest[0])
	if err != nil {
		return errors.Join(err, a.Close())
	}
	fmt.Fprintf(stdout, "read %d entries: %d new, %d updated, %d unchanged\n", res.Read, res.Inserted, res.Updated, res.Unchanged)
	kinds := make([]string, 0, len(res.Kinds))
	for k := range res.Kinds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(stdout, "  %-20s %5d\n", k, res.Kinds[k])
	}
	fmt.Fprintf(stdout, "\n%s\n%s\n", reference.Attribution, reference.DataNotice)
	return a.Close()
}
