package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

func TestDemo(t *testing.T) {
	env := map[string]string{"GMC_DATA_DIR": t.TempDir()}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"demo"}, getenv, &out, io.Discard); err != nil {
		t.Fatalf("gmc demo = %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`email:\s+(\S+)\n\s+password:\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("gmc demo printed no login:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"demo"}, getenv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "exists already") {
		t.Fatalf("second gmc demo = %v\n%s", err, out.String())
	}

	cfg, _, err := config.Load("demo", nil, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	svc := a.Service()
	tokens, err := svc.Login(ctx, service.LoginParams{Email: m[1], Password: m[2], ClientIP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("the printed login does not work: %v", err)
	}
	uid, err := svc.Authenticate(ctx, tokens.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	campaigns, _, err := svc.Campaigns(ctx, uid, gmc.Page{})
	if err != nil || len(campaigns) != 2 {
		t.Fatalf("the demo GM has %d campaigns (%v), want one per run", len(campaigns), err)
	}
	b, err := svc.ExportCampaign(ctx, uid, campaigns[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	ended := 0
	for _, s := range b.Sessions {
		if s.Status == gmc.SessionEnded {
			ended++
		}
	}
	maxDepth := 0
	index := map[string]int{}
	for i, l := range b.Locations {
		index[l.ID] = i + 1
	}
	for i := range b.Locations {
		maxDepth = max(maxDepth, b.LocationDepth(i, index))
	}
	revealed := 0
	for _, f := range b.Foreshadowing {
		if f.Revealed {
			revealed++
		}
	}
	for what, got := range map[string][2]int{
		"characters": {len(b.Characters), 12}, "sessions": {len(b.Sessions), 3}, "ended sessions": {ended, 2},
		"location depth": {maxDepth, 3}, "plots": {len(b.Plots), 4}, "dependencies": {len(b.Dependencies), 2},
		"foreshadowing": {len(b.Foreshadowing), 3}, "revealed foreshadowing": {revealed, 1}, "relationships": {len(b.Relationships), 10},
	} {
		if got[0] != got[1] {
			t.Errorf("demo campaign has %d %s, want %d", got[0], what, got[1])
		}
	}
	// The search index was filled on the way in.
	hits, err := svc.Search(ctx, uid, campaigns[0].ID, service.SearchParams{Query: "Harbourmaster", Limit: 10})
	if err != nil || len(hits.Items) == 0 {
		t.Errorf("searching the demo campaign for Harbourmaster = %+v, %v; want hits", hits, err)
	}
}
