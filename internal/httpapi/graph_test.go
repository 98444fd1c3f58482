package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/httpapi"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// nodeNames returns "name:depth" for each node of a graph answer, in order.
func (r response) nodeNames() string {
	var out []string
	nodes, _ := r.body["nodes"].([]any)
	for _, n := range nodes {
		m := n.(map[string]any)
		out = append(out, fmt.Sprintf("%v:%v", m["name"], m["depth"]))
	}
	return strings.Join(out, " ")
}

// edgeNames returns each edge of a graph answer as "S>T" by name, in
// order (sorted for a neighbourhood, along the path for a path).
func (r response) edgeNames(names map[string]string) string {
	var out []string
	edges, _ := r.body["edges"].([]any)
	for _, e := range edges {
		m := e.(map[string]any)
		out = append(out, names[m["source"].(string)]+">"+names[m["target"].(string)])
	}
	return strings.Join(out, " ")
}

// TestGraph walks a small world as the GM and as a player:
//
//	A ⇄ B ← C → D → E      F (alone)
//	A → X → E              (X is GM-only)
//	B → D                  (a GM-only relationship)
func TestGraph(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := newServer(t, b.open, serverOpts{})
			p := newParty(t, c)
			gm, player := p.token["gm"], p.token["player"]
			id, names := map[string]string{}, map[string]string{}
			for _, n := range strings.Fields("A B C D E F X") {
				vis := "players"
				if n == "X" {
					vis = "gm"
				}
				id[n] = p.character(map[string]any{"name": n, "character_type": "npc", "visibility": vis})
				names[id[n]] = n
			}
			for _, e := range []struct {
				from, to, vis string
				mutual        bool
			}{{"A", "B", "players", true}, {"C", "B", "players", false}, {"C", "D", "players", false}, {"D", "E", "players", false},
				{"A", "X", "players", false}, {"X", "E", "players", false}, {"B", "D", "gm", false}} {
				c.must(201, "POST", "/api/v1/characters/"+id[e.from]+"/relationships", gm, map[string]any{"target_id": id[e.to], "kind": "ally", "visibility": e.vis, "mutual": e.mutual})
			}
			sortedEdges := func(r response) string {
				f := strings.Fields(r.edgeNames(names))
				slices.Sort(f)
				return strings.Join(f, " ")
			}
			graphs := []struct {
				name, query, token, nodes, edges string
			}{
				{"gm depth 1", "center=" + id["A"] + "&depth=1", gm, "A:0 B:1 X:1", "A>B A>X B>A"},
				{"gm default depth 2", "center=" + id["A"], gm, "A:0 B:1 X:1 C:2 D:2 E:2", "A>B A>X B>A B>D C>B C>D D>E X>E"},
				{"player depth 2", "center=" + id["A"], player, "A:0 B:1 C:2", "A>B B>A C>B"},
				{"player depth 4", "center=" + id["A"] + "&depth=4", player, "A:0 B:1 C:2 D:3 E:4", "A>B B>A C>B C>D D>E"},
				{"alone", "center=" + id["F"], player, "F:0", ""},
			}
			for _, g := range graphs {
				r := c.must(200, "GET", p.path("/graph?"+g.query), g.token, nil)
				if got := r.nodeNames(); got != g.nodes {
					t.Errorf("%s: nodes %q, want %q", g.name, got, g.nodes)
				}
				if got := sortedEdges(r); got != g.edges {
					t.Errorf("%s: edges %q, want %q", g.name, got, g.edges)
				}
			}
			paths := []struct {
				name, from, to, token, nodes, edges string
			}{
				{"gm takes the short way through X", "A", "E", gm, "A:0 X:1 E:2", "A>X X>E"},
				{"player goes round", "A", "E", player, "A:0 B:1 C:2 D:3 E:4", "A>B C>B C>D D>E"},
				{"backwards", "E", "C", player, "E:0 D:1 C:2", "D>E C>D"},
				{"to itself", "B", "B", player, "B:0", ""},
			}
			for _, pt := range paths {
				r := c.must(200, "GET", p.path("/graph/path?from="+id[pt.from]+"&to="+id[pt.to]), pt.token, nil)
				if got := r.nodeNames(); got != pt.nodes {
					t.Errorf("%s: nodes %q, want %q", pt.name, got, pt.nodes)
				}
				if got := r.edgeNames(names); got != pt.edges {
					t.Errorf("%s: edges %q, want %q", pt.name, got, pt.edges)
				}
			}
			if r := c.must(404, "GET", p.path("/graph/path?from="+id["A"]+"&to="+id["F"]), gm, nil); r.str("code") != "no_path" {
				t.Errorf("no path code = %q", r.str("code"))
			}
			c.must(404, "GET", p.path("/graph/path?from="+id["A"]+"&to="+id["X"]), player, nil)
		})
	}
}

// BenchmarkWorld measures the reads of a big campaign (5,000 characters,
// 20,000 relationships, a tenth of each GM-only) through the real HTTP
// stack, one request at a time, and reports p50 and p99 latency:
//
//	go test ./internal/httpapi -run '^$' -bench World -benchtime 500x
func BenchmarkWorld(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			w := seedWorld(b, be.open, 5000, 20000)
			rng := rand.New(rand.NewPCG(7, 7))
			visible := func() string { return w.visible[rng.IntN(len(w.visible))] }
			reads := []struct {
				name, token string
				path        func() string
			}{
				{"list_tag_npc", w.gm, func() string { return fmt.Sprintf("/characters?tag=guild-%d&character_type=npc", rng.IntN(25)) }},
				{"list_q_player", w.player, func() string { return "/characters?q=" + w.fragments[rng.IntN(len(w.fragments))] }},
				{"graph_depth2_gm", w.gm, func() string { return "/graph?depth=2&center=" + visible() }},
				{"graph_depth2_player", w.player, func() string { return "/graph?depth=2&center=" + visible() }},
				{"path_gm", w.gm, func() string { return "/graph/path?from=" + visible() + "&to=" + visible() }},
				{"path_player", w.player, func() string { return "/graph/path?from=" + visible() + "&to=" + visible() }},
				// The whole campaign as one document; run it alone with few
				// iterations: -bench 'World/.*/export' -benchtime 5x.
				{"export", w.gm, func() string { return "/export" }},
			}
			for _, r := range reads {
				b.Run(r.name, func(b *testing.B) {
					benchLatency(b, func() (*http.Request, error) {
						req, err := http.NewRequest("GET", w.base+"/api/v1/campaigns/"+w.campaign+r.path(), nil)
						if req != nil {
							req.Header.Set("Authorization", "Bearer "+r.token)
						}
						return req, err
					})
				})
			}
		})
	}
}

// benchLatency sends b.N requests one after another and reports their p50
// and p99 latency, and the mean number of items (graph nodes, list items)
// per answer.
func benchLatency(b *testing.B, newReq func() (*http.Request, error)) {
	lat := make([]time.Duration, 0, b.N)
	items := 0
	var body bytes.Buffer
	for b.Loop() {
		req, err := newReq()
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body.Reset()
		_, err = io.Copy(&body, res.Body)
		res.Body.Close()
		lat = append(lat, time.Since(t0))
		if err != nil || (res.StatusCode != 200 && res.StatusCode != 404) {
			b.Fatalf("status %d, %v: %s", res.StatusCode, err, body.Bytes())
		}
		var answer struct{ Items, Nodes []json.RawMessage }
		_ = json.Unmarshal(body.Bytes(), &answer)
		items += len(answer.Items) + len(answer.Nodes)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(float64(items)/float64(len(lat)), "items/op")
}

// world is a seeded campaign behind a test server.
type world struct {
	base, campaign string
	gm, player     string
	// visible are ids of characters players see; fragments are parts of
	// names for ?q=.
	visible   []string
	fragments []string
}

// seedWorld starts the real stack and fills one campaign through the
// store's bulk calls (the API would take minutes for this many rows).
func seedWorld(b *testing.B, open func(testing.TB) store.Store, characters, relationships int) *world {
	b.Helper()
	st := open(b)
	b.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	cheap := service.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}
	svc, err := service.New(service.Config{Store: st, SecretKey: bytes.Repeat([]byte("k"), 32), PasswordParams: &cheap})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Service: svc, Ready: st.Ping, Version: "bench"}))
	b.Cleanup(srv.Close)
	p := newParty(b, &client{t: b, base: srv.URL})
	w := &world{base: srv.URL, campaign: p.campaign, gm: p.token["gm"], player: p.token["player"]}
	start := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	chars := seedCharacters(b, rng, p.campaign, characters)
	for _, c := range chars {
		if c.Visibility == gmc.VisiblePlayers {
			w.visible = append(w.visible, c.ID)
		}
	}
	w.fragments = []string{"ara", "vik", "el", "dor", "morn", "ix"}
	ev := func() *gmc.Event {
		return &gmc.Event{ID: uuid.Must(uuid.NewV7()).String(), CampaignID: p.campaign, ActorID: p.user["gm"], Action: gmc.ActionCreate,
			EntityType: "character", EntityID: p.campaign, At: time.Now().UTC()}
	}
	if err := st.CreateCharacters(ctx, chars, ev()); err != nil {
		b.Fatal(err)
	}
	if err := st.CreateRelationships(ctx, seedRelationships(rng, chars, relationships, p.user["gm"]), ev()); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d characters and %d relationships in %s", characters, relationships, time.Since(start).Round(time.Millisecond))
	return w
}

func seedCharacters(b *testing.B, rng *rand.Rand, campaignID string, n int) []*gmc.Character {
	first := strings.Fields("Ara Bren Cael Dorn Elra Fenn Gavik Hesk Ilyx Jorun Kael Lira Morn Nix Orla")
	last := strings.Fields("Vikar Dorrow Ashel Brightmorn Ixley Stonehelm Vell Arandor")
	out := make([]*gmc.Character, n)
	now := time.Now().UTC().Truncate(time.Microsecond)
	for i := range out {
		c := &gmc.Character{ID: uuid.Must(uuid.NewV7()).String(), CampaignID: campaignID, CharacterType: gmc.CharacterNPC, Visibility: gmc.VisiblePlayers,
			Name:    fmt.Sprintf("%s %s %d", first[rng.IntN(len(first))], last[rng.IntN(len(last))], i),
			Aliases: []string{fmt.Sprintf("The %s", last[rng.IntN(len(last))])}, Tags: []string{fmt.Sprint("guild-", rng.IntN(25)), fmt.Sprint("region-", rng.IntN(8))},
			Stats: json.RawMessage(fmt.Sprintf(`{"hp":%d,"ac":%d}`, rng.IntN(80), 10+rng.IntN(10))), CreatedAt: now, UpdatedAt: now}
		if i%10 == 0 {
			c.CharacterType = gmc.CharacterPC
		}
		if i%10 == 9 {
			c.Visibility = gmc.VisibleGM
		}
		c.Normalize()
		if err := c.Validate(); err != nil {
			b.Fatal(err)
		}
		out[i] = c
	}
	return out
}

func seedRelationships(rng *rand.Rand, chars []*gmc.Character, n int, actor string) []*gmc.Relationship {
	kinds := []string{"ally", "enemy", "family", "romance", "rival", "employer", "member_of"}
	now := time.Now().UTC().Truncate(time.Microsecond)
	seen := map[[3]string]bool{}
	out := make([]*gmc.Relationship, 0, n)
	for len(out) < n {
		s, t, kind := chars[rng.IntN(len(chars))], chars[rng.IntN(len(chars))], kinds[rng.IntN(len(kinds))]
		if key := [3]string{s.ID, t.ID, kind}; s == t || seen[key] {
			continue
		} else {
			seen[key] = true
		}
		r := &gmc.Relationship{ID: uuid.Must(uuid.NewV7()).String(), CampaignID: s.CampaignID, SourceID: s.ID, TargetID: t.ID, Kind: kind,
			Attitude: rng.IntN(201) - 100, Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now}
		if rng.IntN(10) == 0 {
			r.Visibility = gmc.VisibleGM
		}
		r.History = []gmc.RelationshipChange{{At: now, AttitudeAfter: r.Attitude, Note: "seeded", ActorID: actor}}
		out = append(out, r)
	}
	return out
}
