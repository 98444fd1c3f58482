package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkAPI drives the real HTTP stack over loopback at concurrency 16
// (login excluded) and reports requests/s with p50 and p99 latency:
//
//	go test ./internal/httpapi -run '^$' -bench API -benchtime 10s
func BenchmarkAPI(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			c := newServer(b, be.open, serverOpts{})
			_, token, _ := c.signUp("bench@example.com")
			cid := c.must(201, "POST", "/api/v1/campaigns", token, map[string]any{"name": "Bench"}).str("id")
			tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr}

			b.Run("GET_campaign", func(b *testing.B) {
				benchRequests(b, hc, func() *http.Request {
					req, _ := http.NewRequest("GET", c.base+"/api/v1/campaigns/"+cid, nil)
					req.Header.Set("Authorization", "Bearer "+token)
					return req
				}, 200)
			})
			b.Run("POST_campaigns", func(b *testing.B) {
				body := []byte(`{"name":"Another campaign","game_system":"dnd5e"}`)
				benchRequests(b, hc, func() *http.Request {
					req, _ := http.NewRequest("POST", c.base+"/api/v1/campaigns", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/json")
					return req
				}, 201)
			})
		})
	}
}

func benchRequests(b *testing.B, hc *http.Client, newReq func() *http.Request, want int) {
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(8) // × GOMAXPROCS 2 = 16 concurrent clients on this machine
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t0 := time.Now()
			res, err := hc.Do(newReq())
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != want {
				b.Errorf("status %d, want %d", res.StatusCode, want)
				return
			}
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
}
