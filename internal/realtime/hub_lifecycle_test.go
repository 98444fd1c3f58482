package realtime_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/realtime/brokertest"
)

// TestHubSlowClientDoesNotDelayOthers: a client that stops reading is cut
// off with CloseResume while another keeps receiving at full speed.
func TestHubSlowClientDoesNotDelayOthers(t *testing.T) {
	t.Parallel()
	// The long resume grace keeps live messages waiting for the fast
	// client's resume however slowly a loaded machine delivers it, so its
	// first message is the first broadcast, not a resume_too_late welcome.
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{SendQueue: 16, WriteTimeout: time.Minute, ResumeGrace: time.Minute})
	s := brokertest.ChannelName(t)
	fast := connect(t, hs, s, "u-fast", realtime.RolePlayer)
	slow := dialRaw(t, hs.url(s, "u-slow", realtime.RolePlayer))
	if err := slow.Write(context.Background(), websocket.MessageText, []byte(`{"type":"ping"}`)); err != nil {
		t.Fatal(err)
	}

	text := strings.Repeat("the goblin shrieks ", 400) // ~7.6 KB per message
	start := time.Now()
	const n = 300
	for i := range n {
		m := broadcast(t, hs, s, realtime.TypeTranscriptSegment, map[string]any{"i": i, "text": text}, realtime.Audience{})
		if got := fast.next(realtime.TypeTranscriptSegment); got.Seq != m.Seq {
			t.Fatalf("fast client got seq %d, want %d", got.Seq, m.Seq)
		}
	}
	t.Logf("%d messages of %d bytes through the fast client in %v", n, len(text), time.Since(start))

	// Reading now lets the server finish the write it is stuck in; the
	// close frame follows what was already in flight.
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	for {
		if _, _, err := slow.Read(ctx); err != nil {
			if code := websocket.CloseStatus(err); code != realtime.CloseResume {
				t.Errorf("slow client closed with %v (%v), want %v", code, err, realtime.CloseResume)
			}
			break
		}
	}
	if err := hs.waitServed(t); !errors.Is(err, realtime.ErrSlowClient) {
		t.Errorf("slow client's Serve = %v, want ErrSlowClient", err)
	}
	fast.send(realtime.TypePing, nil)
	fast.next(realtime.TypePong)
}

// TestHubCloseChannel ends a session the way the server does: CloseChannel
// and, right after, DeleteChannel. Clients still get session.ended first.
func TestHubCloseChannel(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	s, other := brokertest.ChannelName(t), brokertest.ChannelName(t)
	gm := connect(t, hs, s, "u-gm", realtime.RoleGM)
	pc := connect(t, hs, s, "u-pc", realtime.RolePlayer)
	late := dial(t, hs, s, "u-late", realtime.RolePlayer) // still in its resume grace
	elsewhere := connect(t, hs, other, "u-x", realtime.RolePlayer)
	if err := hs.hub.CloseChannel(context.Background(), s, "the GM ended the session"); err != nil {
		t.Fatal(err)
	}
	if err := hs.broker.DeleteChannel(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*wsClient{gm, pc, late} {
		if d := decode[realtime.SessionEndedData](t, c.next(realtime.TypeSessionEnded)); d.Reason != "the GM ended the session" {
			t.Errorf("session.ended reason %q", d.Reason)
		}
		if code := c.closed(); code != realtime.CloseSessionEnded {
			t.Errorf("close code %v, want %v", code, realtime.CloseSessionEnded)
		}
	}
	for range 3 {
		if err := hs.waitServed(t); err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	}
	elsewhere.send(realtime.TypePing, nil)
	elsewhere.next(realtime.TypePong)
}

func TestHubDeleteChannelEndsConnections(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	c := connect(t, hs, s, "u1", realtime.RolePlayer)
	if err := hs.broker.DeleteChannel(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if code := c.closed(); code != realtime.CloseSessionEnded {
		t.Errorf("close code %v, want %v", code, realtime.CloseSessionEnded)
	}
}

// TestHubClose: shutting the hub down closes every socket with 1001 (so
// clients reconnect elsewhere and resume) and refuses new ones.
func TestHubClose(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	clients := []*wsClient{
		connect(t, hs, s, "u1", realtime.RoleGM),
		connect(t, hs, s, "u2", realtime.RolePlayer),
		connect(t, hs, brokertest.ChannelName(t), "u3", realtime.RoleObserver),
	}
	done := make(chan error, 1)
	go func() { done <- hs.hub.Close() }()
	for _, c := range clients {
		if code := c.closed(); code != websocket.StatusGoingAway {
			t.Errorf("close code %v, want %v", code, websocket.StatusGoingAway)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close = %v", err)
		}
	case <-time.After(clientWait):
		t.Fatal("Close did not return")
	}
	for range clients {
		if err := hs.waitServed(t); err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	}
	late := dialRaw(t, hs.url(s, "u4", realtime.RolePlayer))
	if _, _, err := late.Read(context.Background()); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("connection after Close: %v, want close %v", err, websocket.StatusGoingAway)
	}
}

// TestHubKeepAlive: a client that answers WebSocket pings (any client that
// reads) stays; one that stops reading is dropped after PongTimeout.
func TestHubKeepAlive(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{PingInterval: 100 * time.Millisecond, PongTimeout: 3 * time.Second})
	s := brokertest.ChannelName(t)
	alive := connect(t, hs, s, "u-alive", realtime.RolePlayer)
	dialRaw(t, hs.url(s, "u-mute", realtime.RolePlayer)) // never reads, so never answers a ping

	err := hs.waitServed(t)
	if err == nil || !strings.Contains(err.Error(), "keep-alive") {
		t.Errorf("mute client's Serve = %v, want a keep-alive error", err)
	}
	alive.send(realtime.TypePing, nil)
	alive.next(realtime.TypePong)
}
