package wsbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// The crowd cases: many sockets of one session arriving together, one client
// reconnecting in a loop, and many idle sockets to weigh the server's memory.
// They count what the server sends instead of timing chat.

// spreadClient dials from 127.0.0.2 to 127.0.0.251 in turn, so that a
// load generator on one machine looks like many addresses to the server's
// per-address limit on socket opens, as real players are.
func spreadClient() *http.Client {
	var next atomic.Uint32
	dialer := func(ctx context.Context, network, addr string) (net.Conn, error) {
		ip := net.IPv4(127, 0, 0, byte(2+next.Add(1)%250))
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: &http.Transport{DialContext: dialer, MaxIdleConnsPerHost: -1}}
}

// watcher is a socket that counts what it receives.
type watcher struct {
	ws       *websocket.Conn
	welcomed time.Time // when the welcome arrived
	presence atomic.Int64
	chats    atomic.Int64
	closed   atomic.Bool // the server closed it or it broke
	done     chan struct{}
}

// errRefused is a handshake the server answered with HTTP 429.
var errRefused = errors.New("refused with 429")

// openWatcher dials u (with a bearer token when token is set) and waits for
// the welcome; live messages start with a resume from its seq.
func openWatcher(ctx context.Context, hc *http.Client, u, token string) (*watcher, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	opts := &websocket.DialOptions{HTTPClient: hc}
	if token != "" {
		opts.HTTPHeader = http.Header{"Authorization": {"Bearer " + token}}
	}
	ws, res, err := websocket.Dial(dctx, u, opts)
	if err != nil {
		if res != nil && res.StatusCode == http.StatusTooManyRequests {
			return nil, errRefused
		}
		return nil, err
	}
	ws.SetReadLimit(4 << 20)
	if err := startLive(dctx, ws); err != nil {
		return nil, err
	}
	w := &watcher{ws: ws, welcomed: time.Now(), done: make(chan struct{})}
	go w.read()
	return w, nil
}

func (w *watcher) read() {
	defer close(w.done)
	for {
		_, data, err := w.ws.Read(context.Background())
		if err != nil {
			w.closed.Store(true)
			return
		}
		var f struct{ Type string }
		if json.Unmarshal(data, &f) != nil {
			continue
		}
		switch f.Type {
		case "presence":
			w.presence.Add(1)
		case "chat":
			w.chats.Add(1)
		}
	}
}

// hangUp closes the socket without waiting for the server's answer.
func (w *watcher) hangUp() {
	_ = w.ws.Close(websocket.StatusNormalClosure, "bench done")
	<-w.done
}

// openAll opens one watcher per url at once, at most parallel dials at a
// time (0: all together), and returns them in order. tokens, when given,
// are the bearer tokens of the urls.
func openAll(ctx context.Context, hc *http.Client, urls, tokens []string, parallel int) ([]*watcher, error) {
	out := make([]*watcher, len(urls))
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	var limit chan struct{}
	if parallel > 0 {
		limit = make(chan struct{}, parallel)
	}
	for i, u := range urls {
		if limit != nil {
			limit <- struct{}{}
		}
		wg.Go(func() {
			if limit != nil {
				defer func() { <-limit }()
			}
			token := ""
			if tokens != nil {
				token = tokens[i]
			}
			out[i], errs[i] = openWatcher(ctx, hc, u, token)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, w := range out {
			if w != nil {
				w.hangUp()
			}
		}
		return nil, err
	}
	return out, nil
}

// BurstReport is the outcome of the join-burst case.
type BurstReport struct {
	Sockets int
	// AllWelcomed is the time from the first dial until the last welcome.
	AllWelcomed time.Duration
	// PresenceMean and PresenceMax are presence messages per socket from its
	// welcome until the chat that closes the case.
	PresenceMean float64
	PresenceMax  int64
	// Closed counts sockets the server closed; Reached those that got the
	// closing chat.
	Closed, Reached int
}

func (r BurstReport) print(w io.Writer) {
	fmt.Fprintf(w, "join burst           %d sockets of one session, opened at once\n", r.Sockets)
	fmt.Fprintf(w, "all welcomed after   %s\n", r.AllWelcomed.Round(time.Millisecond))
	fmt.Fprintf(w, "presence per socket  mean %.1f, max %d\n", r.PresenceMean, r.PresenceMax)
	fmt.Fprintf(w, "closed by the server %d\n", r.Closed)
	fmt.Fprintf(w, "got a chat afterwards %d of %d\n", r.Reached, r.Sockets)
}

// joinBurst opens every url together, then has the first socket chat once
// and checks who is still there to receive it.
func joinBurst(ctx context.Context, urls []string) (BurstReport, error) {
	start := time.Now()
	ws, err := openAll(ctx, spreadClient(), urls, nil, 0)
	if err != nil {
		return BurstReport{}, err
	}
	defer func() {
		for _, w := range ws {
			w.hangUp()
		}
	}()
	rep := BurstReport{Sockets: len(ws)}
	for _, w := range ws {
		rep.AllWelcomed = max(rep.AllWelcomed, w.welcomed.Sub(start))
	}
	time.Sleep(2 * time.Second) // what a crowd's arrival sets off has arrived
	if err := writeJSON(ctx, ws[0].ws, map[string]any{"type": "chat", "data": map[string]any{"text": "all here?"}}); err != nil {
		return rep, err
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && slices.ContainsFunc(ws, func(w *watcher) bool { return w.chats.Load() == 0 && !w.closed.Load() }) {
		time.Sleep(20 * time.Millisecond)
	}
	var total int64
	for _, w := range ws {
		n := w.presence.Load()
		total += n
		rep.PresenceMax = max(rep.PresenceMax, n)
		if w.closed.Load() {
			rep.Closed++
		}
		if w.chats.Load() > 0 {
			rep.Reached++
		}
	}
	rep.PresenceMean = float64(total) / float64(len(ws))
	return rep, nil
}

// StormReport is the outcome of the reconnect-storm case.
type StormReport struct {
	Duration time.Duration
	// Upgraded, Refused and Failed count the reconnecting client's attempts:
	// welcomed, answered 429, or failed otherwise.
	Upgraded, Refused, Failed int64
	// Others is how many other sockets watched; PresenceGM and PresenceMax
	// are the presence messages the GM and the busiest of them received.
	Others                  int
	PresenceGM, PresenceMax int64
	// Closed counts watching sockets the server closed meanwhile.
	Closed int
}

func (r StormReport) print(w io.Writer) {
	fmt.Fprintf(w, "reconnect storm      one player, 8 loops, %s\n", r.Duration.Round(time.Millisecond))
	fmt.Fprintf(w, "player's attempts    %d upgraded, %d refused (429), %d failed\n", r.Upgraded, r.Refused, r.Failed)
	fmt.Fprintf(w, "presence received    GM %d, busiest of %d others %d\n", r.PresenceGM, r.Others, r.PresenceMax)
	fmt.Fprintf(w, "others closed        %d\n", r.Closed)
}

// reconnectStorm connects the watchers (the GM first), then has one more
// client reconnect in 8 loops for d, each open with a fresh URL from next.
func reconnectStorm(ctx context.Context, watchers []string, next func() (url, token string), d time.Duration) (StormReport, error) {
	hc := spreadClient()
	ws, err := openAll(ctx, hc, watchers, nil, 16)
	if err != nil {
		return StormReport{}, err
	}
	defer func() {
		for _, w := range ws {
			w.hangUp()
		}
	}()
	time.Sleep(time.Second) // the watchers' own arrival is not the storm's
	base := make([]int64, len(ws))
	for i, w := range ws {
		base[i] = w.presence.Load()
	}
	rep := StormReport{Duration: d, Others: len(ws) - 1}
	stormCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	var upgraded, refused, failed atomic.Int64
	for range 8 {
		wg.Go(func() {
			for stormCtx.Err() == nil {
				u, token := next()
				w, err := openWatcher(stormCtx, hc, u, token)
				switch {
				case errors.Is(err, errRefused):
					refused.Add(1)
				case err != nil:
					if stormCtx.Err() == nil {
						failed.Add(1)
					}
				default:
					upgraded.Add(1)
					w.hangUp()
				}
			}
		})
	}
	wg.Wait()
	rep.Upgraded, rep.Refused, rep.Failed = upgraded.Load(), refused.Load(), failed.Load()
	time.Sleep(time.Second) // the last changes go out
	for i, w := range ws {
		n := w.presence.Load() - base[i]
		if i == 0 {
			rep.PresenceGM = n
		} else {
			rep.PresenceMax = max(rep.PresenceMax, n)
		}
		if w.closed.Load() {
			rep.Closed++
		}
	}
	return rep, nil
}
