package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/httpapi"
	"github.com/gmc-project/gmc/internal/service"
	"github.com/gmc-project/gmc/internal/store"
)

// BenchmarkLocationsAndPlots measures the location tree and plot threads of
// a big campaign — 2,000 locations in four regions of 500, six levels deep,
// a tenth of the third level GM-only; 500 plot threads linked to locations,
// a third depending on an earlier one — through the real HTTP stack, one
// request at a time, reporting p50 and p99 latency:
//
//	go test ./internal/httpapi -run '^$' -bench LocationsAndPlots -benchtime 300x
//
// move_subtree_500 moves a whole region (500 locations) below another and
// back, alternately: one transaction, one UPDATE of 500 paths each time.
func BenchmarkLocationsAndPlots(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			w := seedTree(b, be.open)
			rng := rand.New(rand.NewPCG(3, 4))
			pick := func(ids []string) string { return ids[rng.IntN(len(ids))] }
			reads := []struct {
				name, token string
				path        func() string
			}{
				{"subtree_gm", w.gm, func() string { return w.campaignPath("/locations?flat=true&limit=200&parent_id=" + pick(w.levels[1])) }},
				{"subtree_player", w.player, func() string { return w.campaignPath("/locations?flat=true&limit=200&parent_id=" + pick(w.levels[1])) }},
				{"breadcrumb_gm", w.gm, func() string { return "/api/v1/locations/" + pick(w.levels[5]) }},
				{"breadcrumb_player", w.player, func() string { return "/api/v1/locations/" + pick(w.levels[5]) }},
				{"children_gm", w.gm, func() string { return w.campaignPath("/locations?parent_id=" + pick(w.levels[3])) }},
				{"plots_list_gm", w.gm, func() string { return w.campaignPath("/plots?limit=50") }},
				{"plots_by_location_player", w.player, func() string { return w.campaignPath("/plots?location_id=" + pick(w.levels[4])) }},
				{"plot_status_gm", w.gm, func() string { return "/api/v1/plots/" + pick(w.plots) + "/status" }},
				{"plot_dependencies_gm", w.gm, func() string { return "/api/v1/plots/" + pick(w.plots) + "/dependencies" }},
			}
			for _, r := range reads {
				b.Run(r.name, func(b *testing.B) {
					benchLatency(b, func() (*http.Request, error) { return w.request("GET", r.path(), r.token, "") })
				})
			}
			b.Run("move_subtree_500", func(b *testing.B) {
				region, under := w.levels[0][0], w.levels[0][1]
				moves := 0
				benchLatency(b, func() (*http.Request, error) {
					moves++
					body := `{"parent_id":null}`
					if moves%2 == 1 {
						body = `{"parent_id":"` + under + `"}`
					}
					return w.request("POST", "/api/v1/locations/"+region+"/move", w.gm, body)
				})
			})
		})
	}
}

// tree is a seeded campaign behind a test server.
type tree struct {
	base, campaign string
	gm, player     string
	// levels[i] are the ids of the locations at depth i+1.
	levels [6][]string
	plots  []string
}

func (w *tree) campaignPath(suffix string) string { return "/api/v1/campaigns/" + w.campaign + suffix }

func (w *tree) request(method, path, token, body string) (*http.Request, error) {
	req, err := http.NewRequest(method, w.base+path, bytes.NewBufferString(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// seedTree starts the real stack and fills one campaign through the store
// (the API would spend most of the time on HTTP round trips).
func seedTree(b *testing.B, open func(testing.TB) store.Store) *tree {
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
	w := &tree{base: srv.URL, campaign: p.campaign, gm: p.token["gm"], player: p.token["player"]}
	start := time.Now()
	rng := rand.New(rand.NewPCG(5, 6))
	seedLocations(b, st, w, p.user["gm"])
	seedPlots(b, st, w, rng, p.user["gm"])
	b.Logf("seeded %d locations and %d plot threads in %s", 2000, len(w.plots), time.Since(start).Round(time.Millisecond))
	return w
}

// seedLocations makes four regions of 500 locations each: 1, 3, 9, 27, 81
// and 379 per level, every location below one of the level above in turn.
func seedLocations(b *testing.B, st store.Store, w *tree, actor string) {
	perRegion := [6]int{1, 3, 9, 27, 81, 379}
	for range 4 {
		var above []string
		for depth, n := range perRegion {
			var here []string
			for i := range n {
				l := &gmc.Location{ID: uuid.Must(uuid.NewV7()).String(), CampaignID: w.campaign, Name: fmt.Sprintf("L%d-%d", depth+1, i),
					LocationType: "place", Visibility: gmc.VisiblePlayers, Metadata: []byte(`{"population":100}`), Coordinates: []byte(`{}`)}
				if depth > 0 {
					l.ParentID = &above[i%len(above)]
				}
				if depth == 2 && i%10 == 0 {
					l.Visibility = gmc.VisibleGM
				}
				l.CreatedAt, l.UpdatedAt = time.Now().UTC().Truncate(time.Microsecond), time.Now().UTC().Truncate(time.Microsecond)
				if err := st.CreateLocation(context.Background(), l, seedEvent(w.campaign, actor, "location", l.ID)); err != nil {
					b.Fatal(err)
				}
				here = append(here, l.ID)
			}
			w.levels[depth] = append(w.levels[depth], here...)
			above = here
		}
	}
}

// seedPlots makes 500 threads, each linked to two locations, a tenth
// GM-only, a third depending on an earlier thread (so the graph is a DAG).
func seedPlots(b *testing.B, st store.Store, w *tree, rng *rand.Rand, actor string) {
	ctx := context.Background()
	statuses := []gmc.PlotStatus{gmc.PlotHook, gmc.PlotActive, gmc.PlotActive, gmc.PlotStalled, gmc.PlotResolved}
	for i := range 500 {
		now := time.Now().UTC().Truncate(time.Microsecond)
		p := &gmc.PlotThread{ID: uuid.Must(uuid.NewV7()).String(), CampaignID: w.campaign, Title: fmt.Sprint("Thread ", i), Status: statuses[i%len(statuses)],
			Progress: rng.IntN(101), Visibility: gmc.VisiblePlayers, CreatedAt: now, UpdatedAt: now,
			Milestones:  []gmc.Milestone{{ID: uuid.Must(uuid.NewV7()).String(), Title: "First"}, {ID: uuid.Must(uuid.NewV7()).String(), Title: "Second"}},
			LocationIDs: []string{w.levels[4][rng.IntN(len(w.levels[4]))], w.levels[5][rng.IntN(len(w.levels[5]))]}}
		if i%10 == 9 {
			p.Visibility = gmc.VisibleGM
		}
		p.Normalize()
		if err := st.CreatePlot(ctx, p, seedEvent(w.campaign, actor, "plot", p.ID)); err != nil {
			b.Fatal(err)
		}
		if i > 0 && i%3 == 0 {
			d := &gmc.PlotDependency{CampaignID: w.campaign, PlotID: p.ID, DependsOnID: w.plots[rng.IntN(len(w.plots))], CreatedAt: now}
			if err := st.AddPlotDependency(ctx, d, seedEvent(w.campaign, actor, "plot_dependency", p.ID)); err != nil {
				b.Fatal(err)
			}
		}
		w.plots = append(w.plots, p.ID)
	}
}

func seedEvent(campaignID, actor, entityType, entityID string) *gmc.Event {
	return &gmc.Event{ID: uuid.Must(uuid.NewV7()).String(), CampaignID: campaignID, ActorID: actor, Action: gmc.ActionCreate,
		EntityType: entityType, EntityID: entityID, At: time.Now().UTC()}
}
