package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/realtime/brokertest"
)

// view is a client's idea of who is present: welcome's list with every
// presence message applied, as the protocol tells clients to do.
type view struct {
	present map[string]bool
	left    []string // every user id ever announced as left
	msgs    int      // presence messages applied
}

func newView(w realtime.WelcomeData) *view {
	v := &view{present: map[string]bool{}}
	for _, u := range w.Present {
		v.present[u.UserID] = true
	}
	return v
}

func (v *view) apply(t *testing.T, m realtime.Message) {
	t.Helper()
	d := decode[realtime.PresenceData](t, m)
	if len(d.Joined)+len(d.Left) == 0 {
		t.Errorf("presence message without changes: %s", m.Data)
	}
	for _, u := range d.Joined {
		v.present[u.UserID] = true
	}
	for _, u := range d.Left {
		delete(v.present, u.UserID)
		v.left = append(v.left, u.UserID)
	}
	v.msgs++
}

// await applies c's presence messages until the view is want.
func (v *view) await(t *testing.T, c *wsClient, want ...string) {
	t.Helper()
	for {
		got := slices.Sorted(maps.Keys(v.present))
		if slices.Equal(got, want) {
			return
		}
		v.apply(t, c.next(realtime.TypePresence))
	}
}

// TestHubPresenceChanges: presence arrives as changes that keep a client's
// list right; a member with another tab open (on another instance too) does
// not leave when one tab closes.
func TestHubPresenceChanges(t *testing.T) {
	t.Parallel()
	opts := realtime.HubOpts{PresenceWindow: 50 * time.Millisecond}
	run := func(t *testing.T, a, b *hubServer) {
		s := brokertest.ChannelName(t)
		gm := connect(t, a, s, "u-gm", realtime.RoleGM)
		v := newView(gm.welcome)
		p1 := connect(t, a, s, "u-p1", realtime.RolePlayer)
		p2 := connect(t, b, s, "u-p2", realtime.RolePlayer)
		v.await(t, gm, "u-gm", "u-p1", "u-p2")

		p1tab2 := connect(t, b, s, "u-p1", realtime.RolePlayer)
		_ = p1.ws.Close(websocket.StatusNormalClosure, "tab closed")
		_ = p2.ws.Close(websocket.StatusNormalClosure, "bye")
		v.await(t, gm, "u-gm", "u-p1")
		if slices.Contains(v.left, "u-p1") {
			t.Errorf("u-p1 announced as left while another tab was open")
		}
		late := connect(t, a, s, "u-late", realtime.RoleObserver)
		if got := newView(late.welcome).present; !got["u-gm"] || !got["u-p1"] || got["u-p2"] {
			t.Errorf("late welcome present = %v, want u-gm, u-p1 (and u-late)", got)
		}
		_ = p1tab2.ws.Close(websocket.StatusNormalClosure, "bye")
		v.await(t, gm, "u-gm", "u-late")
	}
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		hs := newMemoryHub(t, realtime.BrokerOpts{}, opts)
		run(t, hs, hs)
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		url, prefix := redisURL(t), randomPrefix()
		run(t, newHubServer(t, newRedisBroker(t, url, prefix, realtime.BrokerOpts{}), opts),
			newHubServer(t, newRedisBroker(t, url, prefix, realtime.BrokerOpts{}), opts))
	})
}

// crowdClient is a socket that only counts: thousands of wsClients would
// each hold a large buffered channel.
type crowdClient struct {
	ws       *websocket.Conn
	welcomed chan struct{}
	marker   chan struct{} // closed when a job.progress arrived
	presence atomic.Int64
	err      error // why reading ended, set before done is closed
	done     chan struct{}
}

func dialCrowd(ctx context.Context, u string) (*crowdClient, error) {
	ws, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(1 << 20)
	c := &crowdClient{ws: ws, welcomed: make(chan struct{}), marker: make(chan struct{}), done: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *crowdClient) read() {
	defer close(c.done)
	welcomed, marked := false, false
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			c.err = err
			return
		}
		var m struct{ Type string }
		if err := json.Unmarshal(data, &m); err != nil {
			c.err = err
			return
		}
		switch {
		case m.Type == realtime.TypeWelcome && !welcomed:
			welcomed = true
			close(c.welcomed)
		case m.Type == realtime.TypePresence:
			c.presence.Add(1)
		case m.Type == realtime.TypeJobProgress && !marked:
			marked = true
			close(c.marker)
		}
	}
}

// waitAll waits until pick(c) is closed for every client, failing if one
// ends first.
func waitAll(t *testing.T, clients []*crowdClient, what string, pick func(*crowdClient) chan struct{}) {
	t.Helper()
	deadline := time.After(4 * clientWait)
	for i, c := range clients {
		select {
		case <-pick(c):
		case <-c.done:
			select {
			case <-pick(c):
				continue
			default:
			}
			t.Fatalf("client %d ended before %s: %v (close %v)", i, what, c.err, websocket.CloseStatus(c.err))
		case <-deadline:
			t.Fatalf("client %d: no %s in time", i, what)
		}
	}
}

// presenceBound is the most presence messages a client may see over elapsed
// when they are gathered per window: one per window, doubled for slack.
func presenceBound(elapsed, window time.Duration) int64 {
	return 2*int64(elapsed/window) + 2
}

// TestHubCrowdJoinsAtOnce: 500 sockets of one session opened together all
// stay connected and welcomed, and each sees a handful of presence messages
// rather than one per arrival (which used to push every one of them past its
// send queue).
func TestHubCrowdJoinsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("500 sockets")
	}
	t.Parallel()
	const n = 500
	window := 100 * time.Millisecond
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{PresenceWindow: window})
	s := brokertest.ChannelName(t)
	start := time.Now()
	clients := make([]*crowdClient, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 4*clientWait)
	defer cancel()
	for i := range n {
		role := realtime.RolePlayer
		if i == 0 {
			role = realtime.RoleGM
		}
		wg.Go(func() { clients[i], errs[i] = dialCrowd(ctx, hs.url(s, fmt.Sprintf("u-%03d", i), role)) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, c := range clients {
			_ = c.ws.CloseNow()
		}
	})
	waitAll(t, clients, "welcome", func(c *crowdClient) chan struct{} { return c.welcomed })
	t.Logf("%d sockets welcomed %v after the first dial", n, time.Since(start).Round(time.Millisecond))

	broadcast(t, hs, s, realtime.TypeJobProgress, nil, realtime.Audience{})
	waitAll(t, clients, "message after the crowd arrived", func(c *crowdClient) chan struct{} { return c.marker })
	elapsed := time.Since(start)
	var most int64
	for _, c := range clients {
		most = max(most, c.presence.Load())
	}
	t.Logf("most presence messages one client received: %d in %v", most, elapsed.Round(time.Millisecond))
	if bound := presenceBound(elapsed, window); most > bound {
		t.Errorf("a client received %d presence messages in %v, want at most %d (window %v)", most, elapsed, bound, window)
	}
}

// TestHubReconnectLoopIsCheap: a player reconnecting as fast as it can costs
// the GM at most one presence message per window, however many reconnects.
func TestHubReconnectLoopIsCheap(t *testing.T) {
	t.Parallel()
	window := 100 * time.Millisecond
	hs := newMemoryHub(t, realtime.BrokerOpts{}, realtime.HubOpts{PresenceWindow: window})
	s := brokertest.ChannelName(t)
	gm := connect(t, hs, s, "u-gm", realtime.RoleGM)
	connect(t, hs, s, "u-p", realtime.RolePlayer) // the player's steady tab

	const wantReconnects = 40
	start := time.Now()
	var reconnects atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			// A number of reconnects, not a time: a loaded machine
			// (-race, other packages' tests) manages far fewer per second.
			for reconnects.Load() < wantReconnects && time.Since(start) < time.Minute {
				ctx, cancel := context.WithTimeout(context.Background(), clientWait)
				c, err := dialCrowd(ctx, hs.url(s, "u-p", realtime.RolePlayer))
				if err == nil {
					select {
					case <-c.welcomed:
						reconnects.Add(1)
					case <-c.done:
					case <-ctx.Done():
					}
					_ = c.ws.Close(websocket.StatusNormalClosure, "again")
				}
				cancel()
			}
		})
	}
	wg.Wait()
	time.Sleep(3 * window) // let the last changes go out before the marker
	elapsed := time.Since(start)
	broadcast(t, hs, s, realtime.TypeJobProgress, nil, realtime.Audience{})
	var got int64
	for m := gm.next(realtime.TypePresence, realtime.TypeJobProgress); m.Type == realtime.TypePresence; m = gm.next(realtime.TypePresence, realtime.TypeJobProgress) {
		got++
	}
	t.Logf("%d reconnects in %v cost the GM %d presence messages", reconnects.Load(), elapsed.Round(time.Millisecond), got)
	if reconnects.Load() < wantReconnects {
		t.Fatalf("only %d reconnects in a minute; the loop did not run", reconnects.Load())
	}
	if bound := presenceBound(elapsed, window); got > bound {
		t.Errorf("GM received %d presence messages for %d reconnects in %v, want at most %d", got, reconnects.Load(), elapsed, bound)
	}
}

// TestHubAdmit: opens are limited per user and per address, and a user at
// the connection cap is refused before opening another socket.
func TestHubAdmit(t *testing.T) {
	t.Parallel()
	clock := brokertest.NewClock()
	b := realtime.NewMemoryBroker(realtime.BrokerOpts{})
	t.Cleanup(func() { _ = b.Close() })
	hs := newHubServer(t, b, realtime.HubOpts{Now: clock.Now, OpensPerUser: 3, OpensPerAddress: 5, OpenWindow: 10 * time.Second, MaxConnsPerUser: 1})

	type step struct {
		user, addr string
		advance    time.Duration
		want       error
		retryAfter time.Duration // checked when want is set
	}
	steps := []step{
		{user: "u1", addr: "a"}, {user: "u1", addr: "a"}, {user: "u1", addr: "a"},
		{user: "u1", addr: "a", want: realtime.ErrTooManyOpens, retryAfter: 10 * time.Second / 3},
		{user: "u2", addr: "a"}, {user: "u3", addr: "a"},
		// The address is spent; the refusal does not spend u4's own allowance.
		{user: "u4", addr: "a", want: realtime.ErrTooManyOpens, retryAfter: 2 * time.Second},
		{user: "u4", addr: "b"}, {user: "u4", addr: "b"}, {user: "u4", addr: "b"},
		{user: "u1", addr: "b", advance: 4 * time.Second},
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		err := hs.hub.Admit(st.user, st.addr)
		if !errors.Is(err, st.want) {
			t.Fatalf("step %d: Admit(%s, %s) = %v, want %v", i, st.user, st.addr, err, st.want)
		}
		var ae *realtime.AdmitError
		if st.want != nil && (!errors.As(err, &ae) || ae.RetryAfter < st.retryAfter-time.Millisecond || ae.RetryAfter > st.retryAfter+time.Millisecond) {
			t.Errorf("step %d: %v, want retry after %v", i, err, st.retryAfter)
		}
	}

	s := brokertest.ChannelName(t)
	connect(t, hs, s, "u9", realtime.RolePlayer)
	if err := hs.hub.Admit("u9", "c"); !errors.Is(err, realtime.ErrTooManyConnections) {
		t.Errorf("Admit at the connection cap = %v, want ErrTooManyConnections", err)
	}
	if err := hs.hub.Admit("u10", "c"); err != nil {
		t.Errorf("Admit of another user = %v, want nil", err)
	}
}
