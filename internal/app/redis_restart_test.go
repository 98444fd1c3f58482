package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/redisproc"
	"github.com/gmc-project/gmc/internal/testenv"
)

// TestLiveAcrossRedisRestart kills the Redis two instances share in the
// middle of a session and starts it again, empty or with its data back
// (AOF), while the GM keeps sending transcript segments. Writers see no
// error; no client sees seq go back or a message twice; every client that
// resumes ends up with every segment and keyword alert the database has.
func TestLiveAcrossRedisRestart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		persist bool
	}{
		{"empty", false},
		{"aof", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testLiveAcrossRedisRestart(t, tc.persist)
		})
	}
}

func testLiveAcrossRedisRestart(t *testing.T, persist bool) {
	srv, err := redisproc.Start(t.TempDir(), persist)
	if err != nil {
		t.Skipf("REDIS RESTART TEST NOT RUN: %v", err)
	}
	t.Cleanup(srv.Kill)
	cfg := config.Config{DatabaseURL: testenv.PostgresSchema(t), RedisURL: srv.URL(), RedisPrefix: "gmc:"}
	a := startInstance(t, cfg)
	b := startInstance(t, cfg)
	tb := setUpTable(t, a)
	a.call("POST", "/campaigns/"+tb.campaignID+"/keywords", tb.gm, map[string]any{"term": "Cragmaw", "visibility": "players"}, 201)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watchers := []*resumer{
		newResumer(ctx, t, a, "gm@a", tb.sessionID, tb.gm),
		newResumer(ctx, t, b, "p1@b", tb.sessionID, tb.p1),
		newResumer(ctx, t, b, "p2@b", tb.sessionID, tb.p2),
	}
	for _, w := range watchers {
		w.waitConnected(t)
	}

	const total, killAt, restartAt = 60, 15, 30
	for i := range total {
		switch i {
		case killAt:
			srv.Kill()
		case restartAt:
			// While Redis is down the instances still serve: ready, degraded.
			var ready struct {
				Status     string         `json:"status"`
				Components map[string]any `json:"components"`
			}
			if code := getJSON(t, strings.TrimSuffix(a.base, "/api/v1")+"/readyz", &ready); code != http.StatusOK || ready.Status != "degraded" || ready.Components["redis"] == nil {
				t.Errorf("/readyz with Redis down = %d %+v, want 200 degraded naming redis", code, ready)
			}
			if err := srv.Restart(); err != nil {
				t.Fatal(err)
			}
		}
		// call fails the test on anything but 201: writers get no error.
		a.call("POST", "/sessions/"+tb.sessionID+"/transcript/segments", tb.gm, map[string]any{"segments": []any{
			map[string]any{"start_ms": i * 60000, "end_ms": i*60000 + 900, "text": fmt.Sprintf("Line %d: the goblins of Cragmaw", i)}}}, 201)
		time.Sleep(40 * time.Millisecond)
	}

	stored := storedSegments(t, a, tb)
	hits := storedHits(t, a, tb)
	if len(stored) != total || len(hits) != total {
		t.Fatalf("database has %d segments and %d keyword hits, want %d of each", len(stored), len(hits), total)
	}
	for _, w := range watchers {
		w.waitFor(t, stored, hits, 20*time.Second)
	}
	cancel()
	for _, w := range watchers {
		w.mu.Lock()
		if len(w.regressions) > 0 || len(w.duplicates) > 0 {
			t.Errorf("%s: seq regressions %v, duplicates %v (welcomes %v)", w.name, w.regressions, w.duplicates, w.welcomes)
		}
		t.Logf("%s: welcomes %v, %d segments live, %d from the database", w.name, w.welcomes, w.liveSegs, w.dbSegs)
		w.mu.Unlock()
	}
}

// resumer is a client as the protocol asks one to be: it reconnects
// whenever its socket ends, resumes from the last seq it has, drops any
// message whose seq is not above that, and reads the transcript and keyword
// hits from the database after a welcome that did not resume.
type resumer struct {
	in                 *instance
	name, session, tok string

	mu          sync.Mutex
	connected   bool
	lastSeq     int64
	lastSegSeq  int64 // transcript seq
	segments    map[string]bool
	alerts      map[string]bool
	regressions []string
	duplicates  []int64
	welcomes    []string
	liveSegs    int
	dbSegs      int
}

func newResumer(ctx context.Context, t *testing.T, in *instance, name, session, token string) *resumer {
	r := &resumer{in: in, name: name, session: session, tok: token, segments: map[string]bool{}, alerts: map[string]bool{}}
	go r.run(ctx, t)
	return r
}

func (r *resumer) run(ctx context.Context, t *testing.T) {
	u := strings.Replace(r.in.base, "http://", "ws://", 1) + "/sessions/" + r.session + "/ws"
	for ctx.Err() == nil {
		ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + r.tok}}})
		if err != nil {
			time.Sleep(100 * time.Millisecond) // Redis down: 1013, try again
			continue
		}
		r.serve(ctx, t, ws)
		ws.CloseNow()
	}
}

func (r *resumer) serve(ctx context.Context, t *testing.T, ws *websocket.Conn) {
	first := true
	for {
		_, raw, err := ws.Read(ctx)
		if err != nil {
			return
		}
		var f struct {
			Type string          `json:"type"`
			Seq  int64           `json:"seq"`
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(raw, &f) != nil {
			continue
		}
		if f.Type == realtime.TypeWelcome {
			var w realtime.WelcomeData
			_ = json.Unmarshal(f.Data, &w)
			r.welcome(ctx, t, ws, w, first)
			first = false
			continue
		}
		if f.Seq == 0 {
			continue
		}
		r.mu.Lock()
		switch {
		case f.Seq < r.lastSeq:
			r.regressions = append(r.regressions, fmt.Sprintf("%d after %d", f.Seq, r.lastSeq))
		case f.Seq == r.lastSeq:
			r.duplicates = append(r.duplicates, f.Seq)
		default:
			r.lastSeq = f.Seq
			r.take(f.Type, f.Data, true)
		}
		r.mu.Unlock()
	}
}

// welcome answers the first welcome of a connection with resume, and a
// welcome that did not resume by reading the database.
func (r *resumer) welcome(ctx context.Context, t *testing.T, ws *websocket.Conn, w realtime.WelcomeData, first bool) {
	r.mu.Lock()
	r.welcomes = append(r.welcomes, w.Reason)
	known, last := r.connected, r.lastSeq
	r.connected = true
	if w.LastSeq > r.lastSeq {
		r.lastSeq = w.LastSeq
	}
	r.mu.Unlock()
	if first && known {
		b, _ := json.Marshal(map[string]any{"type": realtime.TypeResume, "data": realtime.ResumeRequest{LastSeq: last}})
		_ = ws.Write(ctx, websocket.MessageText, b)
		return
	}
	if w.Reason != "" {
		r.catchUp(t)
	}
}

// take records a segment or alert, whether it came live or from the
// database; segments and alerts are told apart by id.
func (r *resumer) take(typ string, data json.RawMessage, live bool) {
	var v struct {
		ID    string `json:"id"`
		HitID string `json:"hit_id"`
		Seq   int64  `json:"seq"`
	}
	_ = json.Unmarshal(data, &v)
	switch typ {
	case realtime.TypeTranscriptSegment:
		if !r.segments[v.ID] && live {
			r.liveSegs++
		}
		r.segments[v.ID] = true
		r.lastSegSeq = max(r.lastSegSeq, v.Seq)
	case realtime.TypeKeywordAlert:
		r.alerts[v.HitID] = true
	}
}

func (r *resumer) catchUp(t *testing.T) {
	r.mu.Lock()
	after := r.lastSegSeq
	r.mu.Unlock()
	for {
		var page struct {
			Items        []json.RawMessage `json:"items"`
			NextAfterSeq int64             `json:"next_after_seq"`
		}
		getJSONAuth(t, r.in.base+"/sessions/"+r.session+"/transcript?limit=200&after_seq="+fmt.Sprint(after), r.tok, &page)
		r.mu.Lock()
		for _, it := range page.Items {
			var v struct{ ID string }
			_ = json.Unmarshal(it, &v)
			if !r.segments[v.ID] {
				r.dbSegs++
			}
			r.take(realtime.TypeTranscriptSegment, it, false)
		}
		r.mu.Unlock()
		if page.NextAfterSeq == 0 {
			break
		}
		after = page.NextAfterSeq
	}
	for _, id := range hitIDs(t, r.in, r.session, r.tok) {
		r.mu.Lock()
		r.alerts[id] = true
		r.mu.Unlock()
	}
}

func (r *resumer) waitConnected(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		ok := r.connected
		r.mu.Unlock()
		if ok {
			time.Sleep(1100 * time.Millisecond) // past the resume grace: live messages flow
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: never welcomed", r.name)
}

// waitFor waits until the client has every stored segment and hit.
func (r *resumer) waitFor(t *testing.T, segs, hits []string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		r.mu.Lock()
		var missSegs, missHits []string
		for _, id := range segs {
			if !r.segments[id] {
				missSegs = append(missSegs, id)
			}
		}
		for _, id := range hits {
			if !r.alerts[id] {
				missHits = append(missHits, id)
			}
		}
		welcomes := r.welcomes
		r.mu.Unlock()
		if len(missSegs) == 0 && len(missHits) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s: lost %d of %d segments and %d of %d keyword alerts (welcomes %v)", r.name, len(missSegs), len(segs), len(missHits), len(hits), welcomes)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func storedSegments(t *testing.T, in *instance, tb table) []string {
	var ids []string
	after := int64(0)
	for {
		var page struct {
			Items []struct {
				ID  string `json:"id"`
				Seq int64  `json:"seq"`
			} `json:"items"`
			NextAfterSeq int64 `json:"next_after_seq"`
		}
		getJSONAuth(t, in.base+"/sessions/"+tb.sessionID+"/transcript?limit=200&after_seq="+fmt.Sprint(after), tb.gm, &page)
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if page.NextAfterSeq == 0 {
			return ids
		}
		after = page.NextAfterSeq
	}
}

func storedHits(t *testing.T, in *instance, tb table) []string {
	return hitIDs(t, in, tb.sessionID, tb.gm)
}

func hitIDs(t *testing.T, in *instance, session, token string) []string {
	var ids []string
	cursor := ""
	for {
		var page struct {
			Items []struct {
				ID     string `json:"id"`
				Merged bool   `json:"merged"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		q := url.Values{"limit": {"200"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		getJSONAuth(t, in.base+"/sessions/"+session+"/keywords?"+q.Encode(), token, &page)
		for _, it := range page.Items {
			if !it.Merged { // a merged mention raised no alert
				ids = append(ids, it.ID)
			}
		}
		if page.NextCursor == "" {
			return ids
		}
		cursor = page.NextCursor
	}
}

func getJSON(t *testing.T, u string, v any) int { return getJSONAuth(t, u, "", v) }

// getJSONAuth GETs u into v; safe from any goroutine (it reports, never
// stops the test).
func getJSONAuth(t *testing.T, u, token string, v any) int {
	req, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", u, err)
		return 0
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, v); err != nil && res.StatusCode == http.StatusOK {
		t.Errorf("GET %s: %v", u, err)
	}
	return res.StatusCode
}

// TestReadyzWithRedisDown: on either database, an instance whose Redis
// went away still serves, and /readyz says it is degraded and why, with
// 200 so a load balancer keeps it.
func TestReadyzWithRedisDown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(*testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return testenv.PostgresSchema(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, err := redisproc.Start(t.TempDir(), false)
			if err != nil {
				t.Skipf("READYZ TEST NOT RUN: %v", err)
			}
			t.Cleanup(srv.Kill)
			in := startInstance(t, config.Config{DatabaseURL: tc.db(t), RedisURL: srv.URL(), RedisPrefix: "gmc:"})
			readyz := strings.TrimSuffix(in.base, "/api/v1") + "/readyz"
			var ready struct {
				Status     string         `json:"status"`
				Components map[string]any `json:"components"`
			}
			if code := getJSON(t, readyz, &ready); code != http.StatusOK || ready.Status != "ok" {
				t.Fatalf("/readyz with Redis up = %d %+v, want 200 ok", code, ready)
			}
			srv.Kill()
			if code := getJSON(t, readyz, &ready); code != http.StatusOK || ready.Status != "degraded" || ready.Components["redis"] != "unavailable" {
				t.Errorf("/readyz with Redis down = %d %+v, want 200 degraded, redis unavailable", code, ready)
			}
			in.signUp("still@example.com") // the API still works
		})
	}
}
