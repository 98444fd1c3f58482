package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// outMsg is a channel message queued for a socket, encoded once per hub and
// shared by all its connections. An outMsg with end set is no message but
// the order to close once everything queued before it is written.
type outMsg struct {
	msg   Message
	frame []byte
	end   error
}

// ctrlItem is work for the writer from the reader: a reply to send, a resume
// to answer, or (empty) the signal that live messages may start.
type ctrlItem struct {
	reply  *Message
	resume *int64
}

// conn is one WebSocket connection. The reader goroutine handles what the
// client sends; the writer goroutine is the only one writing data frames, so
// the order of frames is the order decided here.
type conn struct {
	hub     *Hub
	ws      *websocket.Conn
	id      string
	channel string
	peer    Peer
	cancel  context.CancelCauseFunc
	log     *slog.Logger

	live liveQueue     // from the hub channel, bounded by SendQueue; shared, read-only
	ctrl chan ctrlItem // from the reader, bounded by RateBurst

	// Writer state.
	sent     int64 // highest channel seq the client has (welcome or message)
	liveSent bool  // a live message was written since the last welcome

	// Reader state.
	bucket      tokenBucket
	lastLimited time.Time
}

func newConn(h *Hub, ws *websocket.Conn, channel string, peer Peer, cancel context.CancelCauseFunc) *conn {
	id := h.opts.NewConnID()
	return &conn{
		hub: h, ws: ws, id: id, channel: channel, peer: peer, cancel: cancel,
		log:    h.opts.Logger.With("channel", channel, "user_id", peer.UserID, "conn_id", id),
		live:   liveQueue{limit: h.opts.SendQueue, ready: make(chan struct{}, 1)},
		ctrl:   make(chan ctrlItem, h.opts.RateBurst+8),
		bucket: tokenBucket{rate: h.opts.RateLimit, burst: float64(h.opts.RateBurst)},
	}
}

func (c *conn) presence() Presence {
	return Presence{UserID: c.peer.UserID, DisplayName: c.peer.DisplayName, Role: c.peer.Role, ConnID: c.id}
}

// run serves the connection until its context ends, then closes the socket
// with the code that matches the reason.
func (c *conn) run(ctx context.Context) error {
	b := c.hub.opts.Broker
	if err := b.Join(ctx, c.channel, c.presence(), c.hub.opts.PresenceTTL); err != nil {
		_ = c.ws.Close(websocket.StatusTryAgainLater, "session unavailable")
		return fmt.Errorf("realtime: join: %w", err)
	}
	defer c.leave(ctx)
	if err := c.sendWelcome(ctx, ""); err != nil {
		c.closeSocket(err)
		return err
	}
	c.hub.presenceChanged(c)

	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		c.readLoop(ctx)
	}()
	stopKeepAlive := c.keepAlive(ctx)
	c.writeLoop(ctx)
	cause := context.Cause(ctx)
	c.closeSocket(cause)
	stopKeepAlive() // no heartbeat may re-add the presence that leave removes
	<-readDone
	switch {
	case errors.Is(cause, errPeerClosed), errors.Is(cause, errHubClosed), errors.Is(cause, errSessionEnded):
		return nil
	}
	return cause
}

// closeSocket ends the socket with a close code that tells the client what
// to do next.
func (c *conn) closeSocket(cause error) {
	var code websocket.StatusCode
	var reason string
	switch {
	case errors.Is(cause, errPeerClosed):
		_ = c.ws.CloseNow() // the close handshake, if any, is done
		return
	case errors.Is(cause, ErrSlowClient):
		code, reason = CloseResume, "resume"
	case errors.Is(cause, errSessionEnded):
		code, reason = CloseSessionEnded, "session ended"
	case errors.Is(cause, errHubClosed), errors.Is(cause, context.Canceled):
		code, reason = websocket.StatusGoingAway, "server shutting down"
	case errors.Is(cause, errUnavailable):
		code, reason = websocket.StatusTryAgainLater, "session unavailable"
	default:
		_ = c.ws.CloseNow() // a broken or unresponsive peer
		return
	}
	_ = c.ws.Close(code, reason)
}

func (c *conn) leave(ctx context.Context) {
	// The connection's context is over; presence still has to be cleaned up.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := c.hub.opts.Broker.Leave(ctx, c.channel, c.presence()); err != nil {
		c.log.Warn("realtime: leave", "err", err)
	}
	c.hub.presenceChanged(c)
}

// sendWelcome writes a welcome snapshot; reason says why it answers a resume.
// The last seq is read before the state, so that the state covers every
// state.patch up to it.
func (c *conn) sendWelcome(ctx context.Context, reason string) error {
	b := c.hub.opts.Broker
	last, err := b.LastSeq(ctx, c.channel)
	if err != nil {
		return fmt.Errorf("%w: %v", errUnavailable, err)
	}
	st, err := b.State(ctx, c.channel)
	if err != nil {
		return fmt.Errorf("%w: %v", errUnavailable, err)
	}
	ps, err := b.Present(ctx, c.channel)
	if err != nil {
		return fmt.Errorf("%w: %v", errUnavailable, err)
	}
	w := WelcomeData{UserID: c.peer.UserID, Role: c.peer.Role, LastSeq: last, State: st, Present: presentUsers(ps), Reason: reason}
	if err := c.write(ctx, localMessage(TypeWelcome, w, c.hub.opts.Now())); err != nil {
		return err
	}
	c.sent, c.liveSent = max(c.sent, last), false
	return nil
}

// writeLoop writes queued frames until the context ends. Live messages wait
// for the client's first message (or ResumeGrace) so a resume is answered
// before them.
func (c *conn) writeLoop(ctx context.Context) {
	grace := time.NewTimer(c.hub.opts.ResumeGrace)
	defer grace.Stop()
	var live <-chan struct{}
	for {
		if ctx.Err() != nil {
			return // do not let queued messages delay the close
		}
		var err error
		select {
		case <-ctx.Done():
			return
		case <-grace.C:
			live = c.live.ready
		case it := <-c.ctrl:
			live = c.live.ready
			switch {
			case it.resume != nil:
				err = c.resume(ctx, *it.resume)
			case it.reply != nil:
				err = c.write(ctx, *it.reply)
			}
		case <-live:
			m := c.live.pop()
			if m == nil {
				continue
			}
			if m.end != nil {
				err = m.end
				break
			}
			if m.msg.Seq <= c.sent {
				continue // covered by the welcome or a resume
			}
			err = c.writeFrame(ctx, m.frame)
			c.sent, c.liveSent = m.msg.Seq, true
			if err == nil && m.msg.Type == TypeSessionEnded {
				err = errSessionEnded
			}
		}
		if err != nil {
			c.cancel(err)
			return
		}
	}
}

// resume answers resume {last_seq: after}: exactly the missed messages up to
// the welcome when they are still in the window and nothing live was sent yet,
// else a fresh welcome. Never a silent gap.
func (c *conn) resume(ctx context.Context, after int64) error {
	if after == c.sent {
		return nil
	}
	if c.liveSent {
		return c.sendWelcome(ctx, WelcomeResumeTooLate)
	}
	if after >= 0 && after < c.sent {
		msgs, ok, err := c.hub.opts.Broker.Replay(ctx, c.channel, after)
		if err != nil {
			return fmt.Errorf("%w: %v", errUnavailable, err)
		}
		if ok {
			for _, m := range msgs {
				if m.Seq > c.sent {
					break // the rest comes live
				}
				if !m.Audience.Allows(c.peer.UserID, c.peer.Role) {
					continue
				}
				if err := c.write(ctx, m); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return c.sendWelcome(ctx, WelcomeReplayWindowLost)
}

func (c *conn) write(ctx context.Context, m Message) error {
	frame, err := encodeFrame(m)
	if err != nil {
		return err
	}
	return c.writeFrame(ctx, frame)
}

func (c *conn) writeFrame(ctx context.Context, frame []byte) error {
	// Not canceled with the connection: coder/websocket tears the socket
	// down when a write's context ends, which would lose the close code.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.hub.opts.WriteTimeout)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, frame)
}

// offer queues a live message without blocking; a full queue means the
// client fell behind, and it is told to resume.
func (c *conn) offer(m *outMsg) {
	if !c.live.push(m) {
		c.cancel(ErrSlowClient)
	}
}

// endAfterQueue closes the connection with err once the messages already
// queued are written, so a session.ended just before it is not lost.
func (c *conn) endAfterQueue(err error) {
	if !c.live.push(&outMsg{end: err}) {
		c.cancel(err)
	}
}

// liveQueue holds the live messages waiting for one socket, at most limit.
// Its slots are allocated as messages arrive and dropped once it is empty:
// a buffered channel would hold SendQueue slots for every idle socket.
type liveQueue struct {
	limit int
	ready chan struct{} // holds a signal while the queue is not empty

	mu    sync.Mutex
	items []*outMsg
}

// push appends m; false means the queue was full.
func (q *liveQueue) push(m *outMsg) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) >= q.limit {
		return false
	}
	q.items = append(q.items, m)
	q.signal()
	return true
}

// pop returns the oldest message, nil when there is none.
func (q *liveQueue) pop() *outMsg {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return nil
	}
	m := q.items[0]
	q.items[0] = nil
	if q.items = q.items[1:]; len(q.items) == 0 {
		q.items = nil // let the slots go
	} else {
		q.signal()
	}
	return m
}

func (q *liveQueue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// keepAlive pings the client and refreshes its presence from timers rather
// than from a goroutine of its own, so an idle socket holds no stack for it.
// The returned func stops both and waits for a tick in progress.
func (c *conn) keepAlive(ctx context.Context) (stop func()) {
	ping := every(c.hub.opts.PingInterval, func() bool {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.hub.opts.PongTimeout)
		defer cancel()
		if err := c.ws.Ping(pctx); err != nil {
			c.cancel(fmt.Errorf("realtime: keep-alive: %w", err))
			return false
		}
		return true
	})
	beat := every(c.hub.opts.PresenceTTL/3, func() bool {
		if err := c.hub.opts.Broker.Join(ctx, c.channel, c.presence(), c.hub.opts.PresenceTTL); err != nil && ctx.Err() == nil {
			c.log.Warn("realtime: presence heartbeat", "err", err)
		}
		return true
	})
	return func() {
		ping.stop()
		beat.stop()
	}
}

// repeater runs a function every interval until it returns false or is
// stopped; after stop returns, it does not run again.
type repeater struct {
	mu      sync.Mutex
	stopped bool
	timer   *time.Timer
}

func every(d time.Duration, fn func() bool) *repeater {
	r := &repeater{}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.timer = time.AfterFunc(d, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if !r.stopped && fn() {
			r.timer.Reset(d)
		}
	})
	return r
}

func (r *repeater) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.timer.Stop()
}

// tokenBucket is the per-connection rate limit; only the reader uses it.
type tokenBucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func (b *tokenBucket) allow(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = b.burst
	} else if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// retryAfter is how long until one message is allowed again.
func (b *tokenBucket) retryAfter() time.Duration {
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// unmarshalData decodes a client message's data, treating absent as empty.
func unmarshalData(data json.RawMessage, v any) error {
	if len(data) == 0 || string(data) == "null" {
		return nil
	}
	return json.Unmarshal(data, v)
}
