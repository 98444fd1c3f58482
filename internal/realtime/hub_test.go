package realtime_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/realtime/brokertest"
)

// label names a message for routing tables: its type, and the text of chats.
func label(t *testing.T, m realtime.Message) string {
	if m.Type == realtime.TypeChat {
		return "chat:" + decode[realtime.ChatData](t, m).Text
	}
	return m.Type
}

// readUntil returns the labels of c's messages up to (not including) the
// first of type stop.
func readUntil(c *wsClient, stop string) []string {
	c.t.Helper()
	var out []string
	for {
		m := c.next()
		if m.Type == stop {
			return out
		}
		out = append(out, label(c.t, m))
	}
}

// TestHubRoutesByRole is the routing table: who receives what.
func TestHubRoutesByRole(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	clients := map[string]*wsClient{
		"gm":       connect(t, hs, s, "u-gm", realtime.RoleGM),
		"aria":     connect(t, hs, s, "u-aria", realtime.RolePlayer),
		"bo":       connect(t, hs, s, "u-bo", realtime.RolePlayer),
		"observer": connect(t, hs, s, "u-obs", realtime.RoleObserver),
	}
	// A second GM sees everything; waiting for each step there keeps the
	// steps in order although chats travel through other connections.
	watcher := connect(t, hs, s, "u-gm2", realtime.RoleGM)
	steps := []struct {
		want string
		do   func()
	}{
		{"chat:hello table", func() {
			clients["aria"].send(realtime.TypeChat, realtime.ChatRequest{Text: "hello table"})
		}},
		{"chat:psst", func() {
			clients["aria"].send(realtime.TypeChat, realtime.ChatRequest{Text: "psst", To: "u-bo"})
		}},
		{"chat:welcome, watcher", func() {
			clients["gm"].send(realtime.TypeChat, realtime.ChatRequest{Text: "welcome, watcher", To: "u-obs"})
		}},
		{realtime.TypeKeywordAlert, func() {
			broadcast(t, hs, s, realtime.TypeKeywordAlert, map[string]string{"term": "Strahd"}, realtime.Audience{Roles: []string{realtime.RoleGM}})
		}},
		{realtime.TypeTranscriptSegment, func() {
			broadcast(t, hs, s, realtime.TypeTranscriptSegment, map[string]string{"text": "I open the door"}, realtime.Audience{})
		}},
		{realtime.TypeEntityChanged, func() {
			broadcast(t, hs, s, realtime.TypeEntityChanged, map[string]string{"id": "npc-1"}, realtime.Audience{Roles: []string{realtime.RolePlayer}})
		}},
	}
	for _, step := range steps {
		step.do()
		if got := label(t, watcher.next()); got != step.want {
			t.Fatalf("watcher got %q, want %q", got, step.want)
		}
	}
	broadcast(t, hs, s, realtime.TypeJobProgress, map[string]int{"percent": 100}, realtime.Audience{})

	want := map[string][]string{
		"gm":       {"chat:hello table", "chat:psst", "chat:welcome, watcher", "keyword.alert", "transcript.segment", "entity.changed"},
		"aria":     {"chat:hello table", "chat:psst", "transcript.segment", "entity.changed"},
		"bo":       {"chat:hello table", "chat:psst", "transcript.segment", "entity.changed"},
		"observer": {"chat:hello table", "chat:welcome, watcher", "transcript.segment"},
	}
	for name, c := range clients {
		if diff := cmp.Diff(want[name], readUntil(c, realtime.TypeJobProgress)); diff != "" {
			t.Errorf("%s received (-want +got):\n%s", name, diff)
		}
	}
}

func TestHubChatContent(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	gm := connect(t, hs, s, "u-gm", realtime.RoleGM)
	bo := connect(t, hs, s, "u-bo", realtime.RolePlayer)
	bo.send(realtime.TypeChat, realtime.ChatRequest{Text: "  to you  ", To: "u-gm", ClientTS: 42})
	want := realtime.ChatData{From: "u-bo", Name: "Name of u-bo", Role: realtime.RolePlayer, Text: "to you", To: "u-gm", ClientTS: 42}
	for _, c := range []*wsClient{gm, bo} {
		m := c.next(realtime.TypeChat)
		if diff := cmp.Diff(want, decode[realtime.ChatData](t, m)); diff != "" {
			t.Errorf("chat data (-want +got):\n%s", diff)
		}
		if m.Seq == 0 || m.TS.IsZero() {
			t.Errorf("chat has seq %d, ts %v; want both set", m.Seq, m.TS)
		}
	}
}

func TestHubStateUpdate(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	gm := connect(t, hs, s, "u-gm", realtime.RoleGM)
	pc := connect(t, hs, s, "u-pc", realtime.RolePlayer)
	obs := connect(t, hs, s, "u-obs", realtime.RoleObserver)

	update := func(c *wsClient, base int64, patch string) {
		c.send(realtime.TypeStateUpdate, map[string]any{"base_version": base, "patch": jsonRaw(patch)})
	}
	expectError := func(c *wsClient, code string) realtime.ErrorData {
		t.Helper()
		e := decode[realtime.ErrorData](t, c.next(realtime.TypeError))
		if e.Code != code {
			t.Fatalf("error code %q (%s), want %q", e.Code, e.Message, code)
		}
		return e
	}
	expectPatch := func(version int64, data string) {
		t.Helper()
		for _, c := range []*wsClient{gm, pc, obs} {
			p := decode[realtime.StatePatchData](t, c.next(realtime.TypeStatePatch))
			if p.Version != version || string(p.Data) != data {
				t.Fatalf("state.patch = version %d data %s, want %d %s", p.Version, p.Data, version, data)
			}
		}
	}

	update(gm, 0, `{"scene":"tavern","round":1}`)
	expectPatch(1, `{"round":1,"scene":"tavern"}`)

	update(gm, 0, `{"round":2}`) // stale: another change came first
	if e := expectError(gm, realtime.ErrCodeStaleState); e.State == nil || e.State.Version != 1 {
		t.Errorf("stale_state error carries state %+v, want version 1", e.State)
	}
	update(pc, 1, `{"scene":"crypt"}`)
	expectError(pc, realtime.ErrCodeForbidden)
	update(obs, 1, `{"party_notes":"hi"}`)
	expectError(obs, realtime.ErrCodeForbidden)
	update(gm, 1, `[1]`)
	expectError(gm, realtime.ErrCodeInvalidPatch)

	update(pc, 1, `{"party_notes":"loot: 30 gp"}`)
	expectPatch(2, `{"party_notes":"loot: 30 gp","round":1,"scene":"tavern"}`)

	late := connect(t, hs, s, "u-late", realtime.RolePlayer)
	if st := late.welcome.State; st.Version != 2 || string(st.Data) != `{"party_notes":"loot: 30 gp","round":1,"scene":"tavern"}` {
		t.Errorf("welcome state = %+v, want version 2", st)
	}
}

// TestHubRateLimit: past the burst, messages are answered with one error,
// not a disconnect, and allowed again once tokens refill.
func TestHubRateLimit(t *testing.T) {
	t.Parallel()
	clock := brokertest.NewClock()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{Now: clock.Now, RateLimit: 20, RateBurst: 40})
	c := connect(t, hs, brokertest.ChannelName(t), "u1", realtime.RolePlayer) // the resume is message 1
	for i := range 60 {
		c.send(realtime.TypePing, map[string]int{"i": i})
	}
	for i := range 39 {
		if got := decode[map[string]int](t, c.next(realtime.TypePong)); got["i"] != i {
			t.Fatalf("pong %d echoes %v", i, got)
		}
	}
	e := decode[realtime.ErrorData](t, c.next(realtime.TypeError))
	if e.Code != realtime.ErrCodeRateLimited || e.RetryAfterMS <= 0 {
		t.Fatalf("error = %+v, want rate_limited with retry_after_ms", e)
	}
	// The server may not have read the flood's last pings yet when the
	// clock moves on; those it reads after the refill are answered. Three
	// seconds refill more than they can spend (burst 40, at most 20 late
	// pings), so the new ping is answered too, after any late ones.
	clock.Advance(3 * time.Second)
	c.send(realtime.TypePing, map[string]string{"i": "after"})
	for {
		got := decode[map[string]any](t, c.next(realtime.TypePong))
		if got["i"] == "after" {
			break
		}
		if n, ok := got["i"].(float64); !ok || n < 40 {
			t.Fatalf("after refill got pong %v, want a late flood ping's (40 or more) or the new ping's", got)
		}
	}
}

func TestHubRejectsBadMessages(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	s := brokertest.ChannelName(t)
	pc := connect(t, hs, s, "u-pc", realtime.RolePlayer)
	obs := connect(t, hs, s, "u-obs", realtime.RoleObserver)
	ctx := context.Background()
	tests := []struct {
		name string
		c    *wsClient
		send func()
		code string
	}{
		{"Binary", pc, func() { _ = pc.ws.Write(ctx, websocket.MessageBinary, []byte(`{"type":"ping"}`)) }, realtime.ErrCodeBadRequest},
		{"NotJSON", pc, func() { _ = pc.ws.Write(ctx, websocket.MessageText, []byte(`ping`)) }, realtime.ErrCodeBadRequest},
		{"UnknownType", pc, func() { pc.send("dance", nil) }, realtime.ErrCodeUnknownType},
		{"EmptyChat", pc, func() { pc.send(realtime.TypeChat, realtime.ChatRequest{Text: "  "}) }, realtime.ErrCodeBadRequest},
		{"LongChat", pc, func() { pc.send(realtime.TypeChat, realtime.ChatRequest{Text: strings.Repeat("a", 2001)}) }, realtime.ErrCodeBadRequest},
		{"ObserverChat", obs, func() { obs.send(realtime.TypeChat, realtime.ChatRequest{Text: "hi"}) }, realtime.ErrCodeForbidden},
		{"NegativeResume", pc, func() { pc.send(realtime.TypeResume, realtime.ResumeRequest{LastSeq: -1}) }, realtime.ErrCodeBadRequest},
	}
	for _, tc := range tests {
		tc.send()
		if e := decode[realtime.ErrorData](t, tc.c.next(realtime.TypeError)); e.Code != tc.code {
			t.Errorf("%s: error code %q, want %q", tc.name, e.Code, tc.code)
		}
	}
	pc.send(realtime.TypePing, nil) // still connected
	pc.next(realtime.TypePong)
}

func TestHubReadLimit(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	c := connect(t, hs, brokertest.ChannelName(t), "u1", realtime.RolePlayer)
	c.send(realtime.TypeChat, realtime.ChatRequest{Text: strings.Repeat("a", 70<<10)})
	if code := c.closed(); code != websocket.StatusMessageTooBig {
		t.Errorf("close code %v, want %v", code, websocket.StatusMessageTooBig)
	}
}

func TestHubConnectionCap(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{MaxConnsPerUser: 2})
	s := brokertest.ChannelName(t)
	first := connect(t, hs, s, "u1", realtime.RolePlayer)
	connect(t, hs, brokertest.ChannelName(t), "u1", realtime.RolePlayer) // the cap spans sessions
	third := dialRaw(t, hs.url(s, "u1", realtime.RolePlayer))
	_, _, err := third.Read(context.Background())
	if code := websocket.CloseStatus(err); code != realtime.CloseTooManyConnections {
		t.Fatalf("third connection closed with %v (%v), want %v", code, err, realtime.CloseTooManyConnections)
	}
	if err := hs.waitServed(t); !errors.Is(err, realtime.ErrTooManyConnections) {
		t.Errorf("Serve = %v, want ErrTooManyConnections", err)
	}
	_ = first.ws.Close(websocket.StatusNormalClosure, "bye")
	if err := hs.waitServed(t); err != nil {
		t.Errorf("Serve after a normal close = %v, want nil", err)
	}
	connect(t, hs, s, "u1", realtime.RolePlayer) // a slot is free again
}

func TestHubInvalidPeer(t *testing.T) {
	t.Parallel()
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{})
	ws := dialRaw(t, hs.url(brokertest.ChannelName(t), "u1", "dragon"))
	_, _, err := ws.Read(context.Background())
	if code := websocket.CloseStatus(err); code != websocket.StatusPolicyViolation {
		t.Errorf("close code %v, want %v", code, websocket.StatusPolicyViolation)
	}
	if err := hs.waitServed(t); !errors.Is(err, realtime.ErrInvalid) {
		t.Errorf("Serve = %v, want ErrInvalid", err)
	}
}
