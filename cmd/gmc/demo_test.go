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
	"github.com/gmc-project/gmc/internal/demo"
	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/service"
)

func TestDemo(t *testing.T) {
	env := map[string]string{"GMC_DATA_DIR": t.TempDir(), "GMC_ADDR": "0.0.0.0:8123"}
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
	// It says what to open: the live session's page, on this machine.
	addr := regexp.MustCompile(`http://localhost:8123/#/c/([0-9a-f-]{36})/sessions/([0-9a-f-]{36})\n`).FindStringSubmatch(out.String())
	if addr == nil {
		t.Fatalf("gmc demo printed no session address:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "gmc reference import") {
		t.Errorf("gmc demo without SRD data does not say how to import it:\n%s", out.String())
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
	// The printed session is the first run's campaign's, live, with the
	// demo table's speakers mapped to the GM and the party.
	gs, _, err := svc.Session(ctx, uid, addr[2])
	if err != nil || gs.CampaignID != addr[1] || gs.Status != gmc.SessionLive || gs.Number != demo.LiveSessionNumber {
		t.Fatalf("printed session = %+v, %v; want live session %d of campaign %s", gs, err, demo.LiveSessionNumber, addr[1])
	}
	speakers, err := svc.Speakers(ctx, uid, gs.ID)
	if err != nil {
		t.Fatal(err)
	}
	mapped := map[string]bool{}
	for _, sp := range speakers {
		switch {
		case sp.Label == demo.GMLabel && sp.UserID != nil && *sp.UserID == uid:
			mapped[sp.Label] = true
		case sp.CharacterID != nil:
			c, err := svc.Character(ctx, uid, *sp.CharacterID)
			if err == nil && c.Name == demo.TableSpeakers[sp.Label] {
				mapped[sp.Label] = true
			}
		}
	}
	if len(mapped) != len(demo.TableSpeakers)+1 {
		t.Errorf("demo session speakers = %+v; want GM and %v mapped", speakers, demo.TableSpeakers)
	}
	b, err := svc.ExportCampaign(ctx, uid, campaigns[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	ended, live := 0, 0
	for _, s := range b.Sessions {
		switch s.Status {
		case gmc.SessionEnded:
			ended++
		case gmc.SessionLive:
			live++
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
		"characters": {len(b.Characters), 12}, "sessions": {len(b.Sessions), 3}, "ended sessions": {ended, 2}, "live sessions": {live, 1},
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
