package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/realtime"
)

// hubServer is a real HTTP server whose handler accepts a WebSocket and hands
// it to the hub, with the peer taken from query parameters (the real server
// takes it from the authenticated ticket).
type hubServer struct {
	hub    *realtime.Hub
	broker realtime.Broker
	srv    *httptest.Server
	served chan error // what each Serve returned
}

// smallBuffers shrinks the kernel socket buffers so that a client that stops
// reading backs up within kilobytes instead of megabytes.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

func newHubServer(t *testing.T, b realtime.Broker, opts realtime.HubOpts) *hubServer {
	t.Helper()
	opts.Broker = b
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	hub, err := realtime.NewHub(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := &hubServer{hub: hub, broker: b, served: make(chan error, 100)}
	hs.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		q := r.URL.Query()
		peer := realtime.Peer{UserID: q.Get("user"), DisplayName: q.Get("name"), Role: q.Get("role")}
		err = hub.Serve(r.Context(), ws, q.Get("session"), peer)
		select {
		case hs.served <- err:
		default:
		}
	}))
	hs.srv.Listener = smallBuffers{hs.srv.Listener}
	hs.srv.Start()
	t.Cleanup(func() {
		_ = hub.Close()
		hs.srv.Close()
	})
	return hs
}

func newMemoryHub(t *testing.T, bopts realtime.BrokerOpts, opts realtime.HubOpts) *hubServer {
	t.Helper()
	b := realtime.NewMemoryBroker(bopts)
	t.Cleanup(func() { _ = b.Close() })
	return newHubServer(t, b, opts)
}

func (hs *hubServer) url(session, user, role string) string {
	q := url.Values{"session": {session}, "user": {user}, "name": {"Name of " + user}, "role": {role}}
	return "ws" + hs.srv.URL[len("http"):] + "/ws?" + q.Encode()
}

// wsClient is a test client; a goroutine reads every frame into in and
// closes it when the connection ends.
type wsClient struct {
	t       *testing.T
	ws      *websocket.Conn
	in      chan realtime.Message
	err     error // the read error, set before in is closed
	welcome realtime.WelcomeData
	// resumedEmpty: connect sent a resume from the welcome's own last
	// seq, which asks for nothing. On a loaded machine it can reach the
	// server after the resume grace; the fresh welcome that answers it
	// then (resume_too_late) carries nothing the client lacks, and next
	// skips it.
	resumedEmpty bool
}

const clientWait = 15 * time.Second

// dialRaw opens a socket without reading from it.
func dialRaw(t *testing.T, u string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(16 << 10)
		}
		return c, err
	}}}
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	ws.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = ws.CloseNow() })
	return ws
}

// dial connects and reads the welcome; live messages have not started yet.
func dial(t *testing.T, hs *hubServer, session, user, role string) *wsClient {
	t.Helper()
	c := &wsClient{t: t, ws: dialRaw(t, hs.url(session, user, role)), in: make(chan realtime.Message, 10000)}
	go func() {
		defer close(c.in)
		for {
			_, data, err := c.ws.Read(context.Background())
			if err != nil {
				c.err = err
				return
			}
			var m realtime.Message
			if err := json.Unmarshal(data, &m); err != nil {
				c.err = err
				return
			}
			c.in <- m
		}
	}()
	w := c.next(realtime.TypeWelcome)
	if err := json.Unmarshal(w.Data, &c.welcome); err != nil {
		t.Fatal(err)
	}
	return c
}

// connect dials and starts live messages at once, as a client with nothing
// to resume does by resuming from the welcome's last seq.
func connect(t *testing.T, hs *hubServer, session, user, role string) *wsClient {
	t.Helper()
	c := dial(t, hs, session, user, role)
	c.send(realtime.TypeResume, realtime.ResumeRequest{LastSeq: c.welcome.LastSeq})
	c.resumedEmpty = true
	return c
}

func (c *wsClient) send(typ string, data any) {
	c.t.Helper()
	raw, err := json.Marshal(map[string]any{"type": typ, "data": data})
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, raw); err != nil {
		c.t.Fatalf("send %s: %v", typ, err)
	}
}

// next returns the next message, skipping presence updates unless asked for,
// and fails if its type is not one of types (when given).
func (c *wsClient) next(types ...string) realtime.Message {
	c.t.Helper()
	timer := time.NewTimer(clientWait)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.in:
			if !ok {
				c.t.Fatalf("connection closed while waiting for %v: %v", types, c.err)
			}
			if m.Type == realtime.TypePresence && !slices.Contains(types, realtime.TypePresence) {
				continue
			}
			if c.resumedEmpty && m.Type == realtime.TypeWelcome {
				var w realtime.WelcomeData
				if json.Unmarshal(m.Data, &w) == nil && w.Reason == realtime.WelcomeResumeTooLate {
					continue
				}
			}
			if len(types) > 0 && !slices.Contains(types, m.Type) {
				c.t.Fatalf("got %s %s, want one of %v", m.Type, m.Data, types)
			}
			return m
		case <-timer.C:
			c.t.Fatalf("no %v within %v", types, clientWait)
		}
	}
}

// closed waits for the server to close the connection and returns the code,
// discarding messages still in flight.
func (c *wsClient) closed() websocket.StatusCode {
	c.t.Helper()
	timer := time.NewTimer(clientWait)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-c.in:
			if !ok {
				return websocket.CloseStatus(c.err)
			}
		case <-timer.C:
			c.t.Fatal("connection still open")
		}
	}
}

func decode[T any](t *testing.T, m realtime.Message) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(m.Data, &v); err != nil {
		t.Fatalf("decode %s data %s: %v", m.Type, m.Data, err)
	}
	return v
}

func broadcast(t *testing.T, hs *hubServer, session, typ string, data any, aud realtime.Audience) realtime.Message {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := hs.hub.Broadcast(context.Background(), session, realtime.Message{Type: typ, Data: raw, Audience: aud})
	if err != nil {
		t.Fatalf("Broadcast(%s) = %v", typ, err)
	}
	return m
}

// waitServed waits for one Serve to return.
func (hs *hubServer) waitServed(t *testing.T) error {
	t.Helper()
	select {
	case err := <-hs.served:
		return err
	case <-time.After(clientWait):
		t.Fatal("Serve did not return")
		return errors.New("unreachable")
	}
}

func jsonRaw(s string) json.RawMessage { return json.RawMessage(s) }
