package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/bench/benchproc"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/testenv"
)

// answer sends a request and returns the answer's status and problem
// code, for fault tests where a failure is the expected answer.
func (in *instance) answer(method, path, token string, body any) (int, string) {
	in.t.Helper()
	status, raw := in.send(method, path, token, body)
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(raw, &p)
	return status, p.Code
}

// TestPostgresRestart stops the database under a running instance and
// starts it again. While it is down, reads, writes and /readyz answer 503
// "unavailable" (not a 500 that reads as a bug, and not a hang); once it
// is back the pool reconnects by itself and nothing written before is
// lost.
func TestPostgresRestart(t *testing.T) {
	t.Parallel()
	pg := testenv.PrivatePostgres(t)
	in := startInstance(t, config.Config{DatabaseURL: pg.URL()})
	tb := setUpTable(t, in)
	camp := "/campaigns/" + tb.campaignID
	in.call("POST", camp+"/characters", tb.gm, map[string]any{"name": "Before", "character_type": "npc"}, 201)

	pg.Stop()
	for _, c := range []struct{ method, path, token string }{
		{"GET", camp, tb.gm},
		{"GET", camp + "/characters", tb.p1},
		{"POST", camp + "/characters", tb.gm},
	} {
		start := time.Now()
		status, code := in.answer(c.method, c.path, c.token, map[string]any{"name": "During", "character_type": "npc"})
		if status != http.StatusServiceUnavailable || code != "unavailable" {
			t.Errorf("%s %s with the database down = %d %q, want 503 unavailable", c.method, c.path, status, code)
		}
		t.Logf("%s %s answered %d in %v with the database down", c.method, c.path, status, time.Since(start).Round(time.Millisecond))
	}
	if res, err := http.Get(strings.TrimSuffix(in.base, "/api/v1") + "/readyz"); err != nil || res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down = %v %v, want 503", res, err)
	} else {
		res.Body.Close()
	}

	pg.Start()
	// The pool holds connections the restart ended; the first requests
	// after it may still meet one (and answer 503) before it is replaced.
	var status int
	for range 50 {
		if status, _ = in.answer("GET", camp+"/characters", tb.gm, nil); status == http.StatusOK {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status != http.StatusOK {
		t.Fatalf("reads after the restart still answer %d", status)
	}
	in.call("POST", camp+"/characters", tb.gm, map[string]any{"name": "After", "character_type": "npc"}, 201)
	names := map[string]bool{}
	for _, c := range in.call("GET", camp+"/characters", tb.gm, nil, 200)["items"].([]any) {
		names[c.(map[string]any)["name"].(string)] = true
	}
	if !names["Before"] || !names["After"] || names["During"] {
		t.Errorf("characters after the restart: %v, want Before and After and not During", names)
	}
}

// TestSIGTERMWithOpenSockets stops one of two instances with SIGTERM while
// a player is connected to it. The player's socket ends with "going
// away" (1001), not a cut connection, the process exits cleanly, and the
// player resumes on the other instance from the last seq it had, getting
// the segment spoken while it was moving.
func TestSIGTERMWithOpenSockets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gmcPath := filepath.Join(dir, "gmc")
	if out, err := exec.Command("go", "build", "-o", gmcPath, "github.com/gmc-project/gmc/cmd/gmc").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := []string{"GMC_DATABASE_URL=" + testenv.PostgresSchema(t), "GMC_REDIS_URL=" + testenv.RedisURL(t),
		"GMC_REDIS_PREFIX=" + testenv.RedisPrefix(t), "GMC_SECRET_KEY=" + strings.Repeat("k", 32),
		"GMC_DATA_DIR=" + filepath.Join(dir, "data"), "GMC_STT=off", "GMC_LOG_LEVEL=warn"}
	start := func() (*benchproc.Server, *proc) {
		srv, err := benchproc.StartServer(context.Background(), gmcPath, env, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Stop)
		return srv, &proc{t: t, srv: srv, base: "http://" + srv.Addr + "/api/v1"}
	}
	srvA, a := start()
	_, b := start()

	a.call("POST", "/auth/register", "", map[string]any{"email": "gm@example.com", "password": "correct horse battery", "display_name": "gm"}, 201)
	gm := a.call("POST", "/auth/login", "", map[string]any{"email": "gm@example.com", "password": "correct horse battery"}, 200)["access_token"].(string)
	a.call("POST", "/auth/register", "", map[string]any{"email": "p@example.com", "password": "correct horse battery", "display_name": "p"}, 201)
	player := a.call("POST", "/auth/login", "", map[string]any{"email": "p@example.com", "password": "correct horse battery"}, 200)["access_token"].(string)
	camp := a.call("POST", "/campaigns", gm, map[string]any{"name": "Moving"}, 201)["id"].(string)
	code := a.call("POST", "/campaigns/"+camp+"/invites", gm, map[string]any{"role": "player"}, 201)["code"].(string)
	a.call("POST", "/invites/"+code+"/accept", player, nil, 200)
	session := a.call("POST", "/campaigns/"+camp+"/sessions", gm, map[string]any{"title": "Night"}, 201)["id"].(string)
	a.call("POST", "/sessions/"+session+"/start", gm, nil, 200)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dial := func(p *proc) *websocket.Conn {
		u := strings.Replace(p.base, "http://", "ws://", 1) + "/sessions/" + session + "/ws"
		ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + player}}})
		if err != nil {
			t.Fatalf("dial %s: %v", p.base, err)
		}
		t.Cleanup(func() { ws.CloseNow() })
		return ws
	}
	// await reads until a message of type typ, returning its seq and data.
	await := func(ws *websocket.Conn, typ string) (int64, json.RawMessage) {
		t.Helper()
		for {
			_, raw, err := ws.Read(ctx)
			if err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			var f struct {
				Type string          `json:"type"`
				Seq  int64           `json:"seq"`
				Data json.RawMessage `json:"data"`
			}
			if json.Unmarshal(raw, &f) == nil && f.Type == typ {
				return f.Seq, f.Data
			}
		}
	}
	segment := func(p *proc, text string, at int) {
		p.call("POST", "/sessions/"+session+"/transcript/segments", gm, map[string]any{"segments": []any{
			map[string]any{"speaker_label": "A", "start_ms": at, "end_ms": at + 900, "text": text}}}, 201)
	}

	wsA := dial(a)
	await(wsA, realtime.TypeWelcome)
	segment(a, "We ride at dawn", 0)
	lastSeq, _ := await(wsA, realtime.TypeTranscriptSegment)

	if err := syscall.Kill(srvA.PID(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var closeErr error
	for closeErr == nil {
		_, _, closeErr = wsA.Read(ctx)
	}
	if got := websocket.CloseStatus(closeErr); got != websocket.StatusGoingAway {
		t.Errorf("socket on the stopped instance ended with %v (status %d), want 1001 going away", closeErr, got)
	}
	srvA.Stop() // waits for the exit the SIGTERM started
	if err := srvA.Err(); err != nil {
		t.Errorf("the instance did not exit cleanly on SIGTERM: %v", err)
	}

	segment(b, "The bridge is out", 1000)
	wsB := dial(b)
	await(wsB, realtime.TypeWelcome)
	msg, _ := json.Marshal(map[string]any{"type": realtime.TypeResume, "data": realtime.ResumeRequest{LastSeq: lastSeq}})
	if err := wsB.Write(ctx, websocket.MessageText, msg); err != nil {
		t.Fatal(err)
	}
	seq, data := await(wsB, realtime.TypeTranscriptSegment)
	var seg struct{ Text string }
	_ = json.Unmarshal(data, &seg)
	if seg.Text != "The bridge is out" || seq <= lastSeq {
		t.Errorf("after resuming on the other instance: seq %d %q, want the missed segment after seq %d", seq, seg.Text, lastSeq)
	}
}
