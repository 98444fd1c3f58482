package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
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
	fmt.Fprintf(stdout, "session %d, %q, is live: run `gmc serve`, open\n  %s\nsign in, and press \"Replay the demo table\" to watch the transcript and keyword cards appear\n",
		res.Session.Number, res.Session.Title, sessionAddress(cfg.Addr, res.Campaign.ID, res.Session.ID))
	if !res.Reference {
		fmt.Fprintln(stdout, "no SRD rules data yet: for spell, monster and condition cards, import it first with `gmc reference import <dir of 5e-SRD-*.json files>`")
	}
	return a.Close()
}

// sessionAddress is the console's page of a live session on a server
// listening on addr; a wildcard host is reached on this machine.
func sessionAddress(addr, campaignID, sessionID string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = "127.0.0.1", "8080"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s/#/c/%s/sessions/%s", net.JoinHostPort(host, port), campaignID, sessionID)
}
