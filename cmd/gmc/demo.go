package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/demo"
)

// runDemo creates the demo GM account (when missing) and a demo campaign
// on the configured database, and prints how to log in.
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := config.Load("demo", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return fmt.Errorf("usage: gmc demo [flags] [email]")
	}
	email := demo.DefaultEmail
	if len(rest) == 1 {
		email = rest[0]
	}
	a, err := app.New(ctx, cfg, newLogger(cfg, stderr), version)
	if err != nil {
		return err
	}
	res, err := demo.Create(ctx, a.Service(), email, time.Now())
	if err != nil {
		return errors.Join(err, a.Close())
	}
	fmt.Fprintf(stdout, "demo campaign %q created (id %s)\n", res.Campaign.Name, res.Campaign.ID)
	if res.Password != "" {
		fmt.Fprintf(stdout, "log in as the GM:\n  email:    %s\n  password: %s\n", res.Email, res.Password)
	} else {
		fmt.Fprintf(stdout, "the account %s exists already: log in with its password; the new campaign is in its list\n", res.Email)
	}
	return a.Close()
}
