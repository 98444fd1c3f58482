package realtime

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// hubChannel is a session channel with local connections: one broker
// subscription whose messages are routed to the connections allowed to see
// them. It lives while connections use it (refs, guarded by Hub.mu).
type hubChannel struct {
	name   string
	ready  chan struct{} // closed when the subscription is up, or failed (err)
	err    error
	cancel context.CancelFunc
	refs   int

	mu    sync.Mutex // never held together with Hub.mu
	conns map[*conn]struct{}
	dead  bool // the subscription ended; new connections need a new hubChannel
}

// attach joins c to its channel's hubChannel, creating it (and subscribing)
// for the first connection.
func (h *Hub) attach(ctx context.Context, c *conn) (*hubChannel, error) {
	for {
		h.mu.Lock()
		hc := h.channels[c.channel]
		creator := hc == nil
		if creator {
			hc = &hubChannel{name: c.channel, ready: make(chan struct{}), conns: map[*conn]struct{}{}}
			h.channels[c.channel] = hc
		}
		hc.refs++
		h.mu.Unlock()

		if creator {
			h.subscribe(ctx, hc)
		}
		select {
		case <-hc.ready:
		case <-ctx.Done():
			h.release(hc)
			return nil, context.Cause(ctx)
		}
		if hc.err != nil {
			h.release(hc)
			return nil, hc.err
		}
		hc.mu.Lock()
		dead := hc.dead
		if !dead {
			hc.conns[c] = struct{}{}
		}
		hc.mu.Unlock()
		if !dead {
			return hc, nil
		}
		h.release(hc) // its subscription just ended; make a new one
	}
}

func (h *Hub) subscribe(ctx context.Context, hc *hubChannel) {
	defer close(hc.ready)
	// The subscription outlives the connection that created it.
	subCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	sub, err := h.opts.Broker.Subscribe(subCtx, hc.name)
	if err != nil {
		cancel()
		hc.err = err
		h.forgetChannel(hc)
		return
	}
	hc.cancel = cancel
	go h.pump(subCtx, hc, sub)
}

func (h *Hub) detach(hc *hubChannel, c *conn) {
	hc.mu.Lock()
	delete(hc.conns, c)
	hc.mu.Unlock()
	h.release(hc)
}

// release drops one reference; the last one ends the subscription.
func (h *Hub) release(hc *hubChannel) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hc.refs--; hc.refs > 0 {
		return
	}
	if h.channels[hc.name] == hc {
		delete(h.channels, hc.name)
	}
	if hc.cancel != nil {
		hc.cancel()
	}
}

func (h *Hub) forgetChannel(hc *hubChannel) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.channels[hc.name] == hc {
		delete(h.channels, hc.name)
	}
}

// pump routes the subscription's messages until it ends. A subscription that
// ends early (the hub fell behind, the broker lost messages, the channel was
// deleted) ends the connections too, each with the close code that tells its
// client what to do.
func (h *Hub) pump(ctx context.Context, hc *hubChannel, sub Subscription) {
	defer sub.Close()
	var last int64
	for m := range sub.C() {
		if last != 0 && m.Seq != last+1 {
			// The broker promises no gaps; if one shows anyway, clients
			// must start over rather than miss messages silently.
			hc.fail(h, fmt.Errorf("%w: seq %d after %d", ErrMissedMessages, m.Seq, last))
			return
		}
		last = m.Seq
		frame, err := encodeFrame(m)
		if err != nil {
			h.opts.Logger.Error("realtime: encode message", "channel", hc.name, "type", m.Type, "err", err)
			continue
		}
		hc.dispatch(&outMsg{msg: m, frame: frame})
	}
	if ctx.Err() != nil {
		return // released: no connection left
	}
	err := sub.Err()
	h.opts.Logger.Warn("realtime: session subscription ended", "channel", hc.name, "err", err)
	if errors.Is(err, ErrChannelDeleted) {
		err = errSessionEnded
	} else {
		err = fmt.Errorf("%w: %v", ErrSlowClient, err)
	}
	hc.fail(h, err)
}

// dispatch queues m for every connection allowed to see it, never blocking:
// a connection whose queue is full is closed instead.
func (hc *hubChannel) dispatch(m *outMsg) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	for c := range hc.conns {
		if m.msg.Audience.Allows(c.peer.UserID, c.peer.Role) {
			c.offer(m)
		}
	}
}

func (hc *hubChannel) fail(h *Hub, err error) {
	hc.mu.Lock()
	hc.dead = true
	hc.mu.Unlock()
	h.forgetChannel(hc)
	hc.kickAll(err)
}

// kickAll ends every connection after what is already queued for it.
func (hc *hubChannel) kickAll(err error) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	for c := range hc.conns {
		c.endAfterQueue(err)
	}
}
