package wsbench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// client is one bench connection.
type client struct {
	ws      *websocket.Conn
	closing atomic.Bool
	done    chan struct{} // the reader has stopped
}

// frame is the part of server messages the bench reads.
type frame struct {
	Type string `json:"type"`
	Data struct {
		LastSeq  int64 `json:"last_seq"`
		ClientTS int64 `json:"client_ts"`
	} `json:"data"`
}

// dial connects, reads the welcome, starts the live stream (a resume from the
// welcome's seq), and starts the reader.
func dial(ctx context.Context, opts Options, session, n int, st *stats) (*client, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	dopts := &websocket.DialOptions{HTTPClient: opts.HTTPClient}
	if opts.Token != nil {
		dopts.HTTPHeader = http.Header{"Authorization": {"Bearer " + opts.Token(session, n)}}
	}
	ws, _, err := websocket.Dial(dctx, opts.URL(session, n), dopts)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(1 << 20)
	if err := startLive(dctx, ws); err != nil {
		return nil, err
	}
	c := &client{ws: ws, done: make(chan struct{})}
	go c.read(st)
	return c, nil
}

// startLive reads a new socket's welcome and starts its live stream with a
// resume from the welcome's seq; on failure the socket is closed.
func startLive(ctx context.Context, ws *websocket.Conn) error {
	_, data, err := ws.Read(ctx)
	var welcome frame
	if err == nil {
		err = json.Unmarshal(data, &welcome)
	}
	if err == nil && welcome.Type != "welcome" {
		err = fmt.Errorf("first message is %q, want welcome", welcome.Type)
	}
	if err == nil {
		err = writeJSON(ctx, ws, map[string]any{"type": "resume", "data": map[string]int64{"last_seq": welcome.Data.LastSeq}})
	}
	if err != nil {
		_ = ws.CloseNow()
	}
	return err
}

func (c *client) read(st *stats) {
	defer close(c.done)
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			if !c.closing.Load() {
				st.errors.Add(1)
			}
			return
		}
		now := time.Now()
		var f frame
		if json.Unmarshal(data, &f) != nil {
			st.errors.Add(1)
			continue
		}
		switch f.Type {
		case "chat":
			st.delivered.Add(1)
			if f.Data.ClientTS > 0 {
				st.lat.add(now.Sub(time.Unix(0, f.Data.ClientTS)))
			}
		case "error":
			st.errors.Add(1)
		}
	}
}

// send writes chat messages at rate until ctx ends.
func (c *client) send(ctx context.Context, rate float64, st *stats) {
	sendAt(ctx, rate, st, c.publish)
}

// publish writes one chat message stamped with its send time.
func (c *client) publish(ctx context.Context) error {
	msg := map[string]any{"type": "chat", "data": map[string]any{"text": "bench", "client_ts": time.Now().UnixNano()}}
	return writeJSON(ctx, c.ws, msg)
}

// sendAt calls publish at rate until ctx ends, starting at a random offset
// so that clients do not all send in the same instant. It stops at the
// first failed publish.
func sendAt(ctx context.Context, rate float64, st *stats, publish func(context.Context) error) {
	interval := time.Duration(float64(time.Second) / rate)
	first := time.NewTimer(rand.N(interval))
	defer first.Stop()
	select {
	case <-ctx.Done():
		return
	case <-first.C:
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		// The publish gets its own context: ending the run must not tear
		// the socket down in the middle of a frame.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err := publish(pctx)
		cancel()
		if err != nil {
			st.errors.Add(1)
			return
		}
		st.sent.Add(1)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (c *client) close() {
	c.closing.Store(true)
	_ = c.ws.Close(websocket.StatusNormalClosure, "bench done")
	<-c.done
}

func writeJSON(ctx context.Context, ws *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ws.Write(ctx, websocket.MessageText, b)
}
