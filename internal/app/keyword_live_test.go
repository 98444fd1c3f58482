package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/reference"
	"github.com/gmc-project/gmc/internal/reference/referencetest"
	"github.com/gmc-project/gmc/internal/testenv"
)

// testSRD holds a few records in the 5e-database format, written for
// gmc's tests.
var testSRD = referencetest.Dir()

// kwAlert is the part of a keyword.alert message the tests read.
type kwAlert struct {
	Kind string `json:"kind"`
	Term *struct {
		Name string `json:"name"`
	} `json:"term"`
	Surface string `json:"surface"`
	Span    [2]int `json:"span"`
	Card    *struct {
		Type        string `json:"type"`
		Name        string `json:"name"`
		Summary     string `json:"summary"`
		Attribution string `json:"attribution"`
	} `json:"card"`
	Rule string `json:"rule"`
}

func (a kwAlert) name() string {
	if a.Term != nil {
		return a.Term.Name
	}
	return a.Rule
}

// alerts collects the keyword alerts a client receives until none has
// come for quiet.
func (c *client) alerts(quiet time.Duration) map[string]kwAlert {
	c.t.Helper()
	out := map[string]kwAlert{}
	for {
		f, ok := c.read(quiet)
		if !ok {
			return out
		}
		if f.Type != "keyword.alert" {
			continue
		}
		var a kwAlert
		if err := json.Unmarshal(f.Data, &a); err != nil {
			c.t.Fatalf("%s: keyword.alert %s: %v", c.name, f.Data, err)
		}
		out[a.name()] = a
	}
}

func alertNames(m map[string]kwAlert) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// TestKeywordAlertsLive posts a transcript segment and watches the alerts
// arrive on real sockets: the spell's card for everyone, the GM-only NPC
// for the GM only; then reads the stored hits per role. It runs on the
// embedded defaults, and on PostgreSQL and Redis with the segment posted
// to one instance and the clients on another.
func TestKeywordAlertsLive(t *testing.T) {
	t.Parallel()
	setups := []struct {
		name string
		cfg  func(t *testing.T) config.Config
		two  bool
	}{
		{"embedded", func(*testing.T) config.Config { return config.Config{} }, false},
		{"postgres+redis", func(t *testing.T) config.Config {
			return config.Config{DatabaseURL: testenv.PostgresSchema(t), RedisURL: testenv.RedisURL(t), RedisPrefix: testenv.RedisPrefix(t)}
		}, true},
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			cfg := s.cfg(t)
			in := startInstance(t, cfg)
			watch := in
			if s.two {
				watch = startInstance(t, cfg)
			}
			if _, err := in.app.Service().ImportReference(context.Background(), testSRD); err != nil {
				t.Fatal(err)
			}
			tb := setUpTable(t, in)
			in.call("POST", "/campaigns/"+tb.campaignID+"/characters", tb.gm, map[string]any{
				"name": "Vethrax the Unbound", "character_type": "npc", "visibility": "gm", "aliases": []string{"Vethrax"}, "tags": []string{"villain"}}, 201)

			gm := watch.mustDial("gm", tb.sessionID, tb.gm)
			p1 := watch.mustDial("p1", tb.sessionID, tb.p1)
			obs := watch.mustDial("observer", tb.sessionID, tb.obs)
			for _, c := range []*client{gm, p1, obs} {
				c.send("ping", nil) // ends the hub's resume grace: live messages flow at once
			}
			in.call("POST", "/sessions/"+tb.sessionID+"/transcript/segments", tb.gm, map[string]any{"segments": []any{
				map[string]any{"start_ms": 1000, "end_ms": 3000, "text": "I cast fireball at Vethrax"}}}, 201)

			got := gm.alerts(2 * time.Second)
			if !slices.Equal(alertNames(got), []string{"Fireball", "Vethrax the Unbound"}) {
				t.Fatalf("gm: alerts %v, want Fireball and Vethrax the Unbound", alertNames(got))
			}
			if c := got["Vethrax the Unbound"].Card; c == nil || c.Type != "character" || c.Summary != "NPC · villain" {
				t.Errorf("gm: NPC card %+v", c)
			}
			for _, c := range []*client{p1, obs} {
				got := c.alerts(500 * time.Millisecond)
				if !slices.Equal(alertNames(got), []string{"Fireball"}) {
					t.Errorf("%s: alerts %v, want Fireball only", c.name, alertNames(got))
					continue
				}
				a := got["Fireball"]
				if a.Kind != "term" || a.Surface != "fireball" || a.Span != [2]int{7, 15} || a.Card == nil || a.Card.Type != "reference" ||
					a.Card.Summary == "" || a.Card.Attribution != reference.Attribution {
					t.Errorf("%s: fireball alert %+v card %+v", c.name, a, a.Card)
				}
			}

			for token, want := range map[string]int{tb.gm: 2, tb.p1: 1, tb.obs: 1} {
				hits := in.call("GET", "/sessions/"+tb.sessionID+"/keywords", token, nil, 200)["items"].([]any)
				if len(hits) != want {
					t.Errorf("hits = %v, want %d", hits, want)
				}
			}
		})
	}
}

// TestKeywordAlertLatency measures the time from the POST of a transcript
// segment to its keyword.alert on a player's socket, on the embedded
// defaults, with the whole SRD when it is there (GMC_SRD_DIR, or
// shared/srd beside the repository), else the test records. It is a test
// rather than a benchmark to use the live tests' *testing.T helpers, and
// runs only when asked:
//
//	GMC_BENCH_ALERTS=200 go test ./internal/app -run KeywordAlertLatency -v
func TestKeywordAlertLatency(t *testing.T) {
	n := 0
	if _, err := fmt.Sscan(os.Getenv("GMC_BENCH_ALERTS"), &n); err != nil || n <= 0 {
		t.Skip("set GMC_BENCH_ALERTS=200 to measure segment-to-alert latency")
	}
	srd := testenv.SRDPath()
	if _, err := os.Stat(srd); err != nil {
		t.Logf("SRD not found at %s: measuring with the test records only", srd)
		srd = testSRD
	}
	in := startInstance(t, config.Config{})
	res, err := in.app.Service().ImportReference(context.Background(), srd)
	if err != nil {
		t.Fatal(err)
	}
	tb := setUpTable(t, in)
	p1 := in.mustDial("p1", tb.sessionID, tb.p1)
	// A client's first message ends the hub's resume grace, after which
	// live messages flow at once (a real client sends resume or ping).
	p1.send("ping", nil)
	spells := []string{"Fireball", "Magic Missile", "Shield"} // in the test records too
	lat := make([]time.Duration, 0, n)
	for i := range n {
		spell := spells[i%len(spells)]
		text := fmt.Sprintf("okay I cast %s at the nearest one", spell)
		start := time.Now()
		// A minute of recording apart: outside the tracker's window, so
		// every segment raises an alert.
		in.call("POST", "/sessions/"+tb.sessionID+"/transcript/segments", tb.gm, map[string]any{"segments": []any{
			map[string]any{"start_ms": i * 60_000, "end_ms": i*60_000 + 2000, "text": text}}}, 201)
		for {
			var a kwAlert
			if json.Unmarshal(p1.await("keyword.alert").Data, &a) == nil && a.name() == spell {
				break
			}
		}
		lat = append(lat, time.Since(start))
	}
	// The first segment builds the campaign's dictionary (the SRD is read
	// and compiled once per process); it is reported on its own.
	first, warm := lat[0], slices.Sorted(slices.Values(lat[1:]))
	pct := func(p int) time.Duration { return warm[min(len(warm)*p/100, len(warm)-1)] }
	t.Logf("%d segments, %d reference entries: segment POST → keyword.alert on a player's socket: first (builds the dictionary) %v; then p50 %v, p90 %v, p99 %v, max %v",
		n, res.Read, first, pct(50), pct(90), pct(99), warm[len(warm)-1])
}
