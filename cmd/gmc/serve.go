package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, _, err := config.Load("serve", args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	a, err := app.New(ctx, cfg, log, version)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return errors.Join(fmt.Errorf("GMC_ADDR: %w", err), a.Close())
	}
	serveErr := a.Serve(ctx, ln)
	return errors.Join(serveErr, a.Close())
}
