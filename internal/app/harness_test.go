package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/app"
	"github.com/gmc-project/gmc/internal/config"
	"github.com/gmc-project/gmc/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// instance is one running gmc behind httptest.
type instance struct {
	t    *testing.T
	app  *app.App
	srv  *httptest.Server
	base string
}

// startInstance runs the real app with cfg's database and Redis settings.
func startInstance(t *testing.T, cfg config.Config, opts ...app.Option) *instance {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.SecretKey = strings.Repeat("s", 32)
	cfg.ShutdownTimeout = 5 * time.Second
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), "test", opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	in := &instance{t: t, app: a, srv: srv, base: srv.URL + "/api/v1"}
	t.Cleanup(in.stop)
	return in
}

// stop ends the instance as a crash would look to its clients: sockets cut.
func (in *instance) stop() {
	in.srv.CloseClientConnections()
	in.srv.Close()
	in.app.Close()
}

func (in *instance) call(method, path, token string, body any, want int) map[string]any {
	in.t.Helper()
	status, raw := in.send(method, path, token, body)
	if status != want {
		in.t.Fatalf("%s %s = %d %s, want %d", method, path, status, raw, want)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// send makes one JSON request and returns the answer's status and body.
func (in *instance) send(method, path, token string, body any) (int, []byte) {
	in.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, in.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

func (in *instance) signUp(email string) (id, token string) {
	in.t.Helper()
	u := in.call("POST", "/auth/register", "", map[string]any{"email": email, "password": "correct horse battery", "display_name": strings.Split(email, "@")[0]}, 201)
	tok := in.call("POST", "/auth/login", "", map[string]any{"email": email, "password": "correct horse battery"}, 200)
	return u["id"].(string), tok["access_token"].(string)
}

// table is a campaign with a GM, two players and an observer, and a live session.
type table struct {
	campaignID, sessionID   string
	gm, p1, p2, obs         string // tokens
	gmID, p1ID, p2ID, obsID string
}

func setUpTable(t *testing.T, in *instance) table {
	t.Helper()
	var tb table
	tb.gmID, tb.gm = in.signUp("gm@example.com")
	tb.p1ID, tb.p1 = in.signUp("p1@example.com")
	tb.p2ID, tb.p2 = in.signUp("p2@example.com")
	tb.obsID, tb.obs = in.signUp("obs@example.com")
	tb.campaignID = in.call("POST", "/campaigns", tb.gm, map[string]any{"name": "Live"}, 201)["id"].(string)
	for token, role := range map[string]string{tb.p1: "player", tb.p2: "player", tb.obs: "observer"} {
		code := in.call("POST", "/campaigns/"+tb.campaignID+"/invites", tb.gm, map[string]any{"role": role}, 201)["code"].(string)
		in.call("POST", "/invites/"+code+"/accept", token, nil, 200)
	}
	tb.sessionID = in.call("POST", "/campaigns/"+tb.campaignID+"/sessions", tb.gm, map[string]any{"title": "Night one"}, 201)["id"].(string)
	in.call("POST", "/sessions/"+tb.sessionID+"/start", tb.gm, nil, 200)
	return tb
}

// frame is one protocol message.
type frame struct {
	Type string          `json:"type"`
	Seq  int64           `json:"seq"`
	Data json.RawMessage `json:"data"`
}

// client is one WebSocket connection to a live session. A goroutine reads
// it into frames: coder/websocket closes a connection whose Read times out,
// so waits with a deadline happen on the channel instead.
type client struct {
	t      *testing.T
	name   string
	ws     *websocket.Conn
	frames chan frame
	closed chan error // receives the read error that ended the connection
}

func (in *instance) dial(name, sessionID, token string) (*client, *http.Response, error) {
	u := strings.Replace(in.base, "http://", "ws://", 1) + "/sessions/" + sessionID + "/ws"
	opts := &websocket.DialOptions{HTTPHeader: http.Header{}}
	if strings.HasPrefix(token, "ticket:") {
		u += "?ticket=" + strings.TrimPrefix(token, "ticket:")
	} else {
		opts.HTTPHeader.Set("Authorization", "Bearer "+token)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, res, err := websocket.Dial(ctx, u, opts)
	if err != nil {
		return nil, res, err
	}
	c := &client{t: in.t, name: name, ws: ws, frames: make(chan frame, 1024), closed: make(chan error, 1)}
	go c.readLoop()
	in.t.Cleanup(func() { ws.CloseNow() })
	return c, res, nil
}

func (in *instance) mustDial(name, sessionID, token string) *client {
	in.t.Helper()
	c, res, err := in.dial(name, sessionID, token)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		in.t.Fatalf("%s: dial = %v (HTTP %d)", name, err, status)
	}
	if w := c.next(); w.Type != "welcome" {
		in.t.Fatalf("%s: first message %s, want welcome", name, w.Type)
	}
	return c
}

func (c *client) send(typ string, data any) {
	c.t.Helper()
	b, _ := json.Marshal(map[string]any{"type": typ, "data": data})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("%s: send %s: %v", c.name, typ, err)
	}
}

func (c *client) readLoop() {
	for {
		_, b, err := c.ws.Read(context.Background())
		if err != nil {
			c.closed <- err
			close(c.frames)
			return
		}
		var f frame
		if json.Unmarshal(b, &f) == nil {
			c.frames <- f
		}
	}
}

// next returns the next message, failing after a few seconds.
func (c *client) next() frame {
	c.t.Helper()
	f, ok := c.read(5 * time.Second)
	if !ok {
		c.t.Fatalf("%s: no message within 5 s", c.name)
	}
	return f
}

// read waits up to timeout for a message; ok is false on timeout or close.
func (c *client) read(timeout time.Duration) (frame, bool) {
	select {
	case f, ok := <-c.frames:
		return f, ok
	case <-time.After(timeout):
		return frame{}, false
	}
}

// closeStatus waits for the server to close the connection and returns its code.
func (c *client) closeStatus() websocket.StatusCode {
	c.t.Helper()
	for {
		select {
		case _, ok := <-c.frames:
			if ok {
				continue
			}
			return websocket.CloseStatus(<-c.closed)
		case <-time.After(5 * time.Second):
			c.t.Fatalf("%s: connection not closed", c.name)
		}
	}
}

// await returns the next message of type typ, skipping presence updates and others.
func (c *client) await(typ string) frame {
	c.t.Helper()
	for range 50 {
		if f := c.next(); f.Type == typ {
			return f
		}
	}
	c.t.Fatalf("%s: no %s message", c.name, typ)
	return frame{}
}

// silent fails if a message of type typ arrives within d.
func (c *client) silent(typ string, d time.Duration) {
	c.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case f, ok := <-c.frames:
			if ok && f.Type == typ {
				c.t.Fatalf("%s: received %s %s it must not see", c.name, typ, f.Data)
			}
			if !ok {
				return
			}
		case <-deadline:
			return
		}
	}
}
