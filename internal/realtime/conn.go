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

// conn is one WebSocket connection. The reader runs on the goroutine that
// serves the connection. Writes have no goroutine of their own while there is
// nothing to write: queuing work starts a writer, which ends once the queues
// are empty, so an idle socket holds one stack, not two. At most one writer
// runs at a time and it alone writes data frames and closes the socket, so
// the order of frames is the order decided here.
type conn struct {
	hub     *Hub
	ws      *websocket.Conn
	id      string
	channel string
	peer    Peer
	ctx     context.Context // the connection's; its end makes the writer close the socket
	cancel  context.CancelCauseFunc

	out    outbox
	closed chan struct{} // closed once the writer has closed the socket

	// Writer state, handed from one writer to the next through out.mu.
	sent     int64 // highest channel seq the client has (welcome or message)
	liveSent bool  // a live message was written since the last welcome

	// Reader state.
	bucket      tokenBucket
	lastLimited time.Time
}

func newConn(ctx context.Context, h *Hub, ws *websocket.Conn, channel string, peer Peer, cancel context.CancelCauseFunc) *conn {
	id := h.opts.NewConnID()
	return &conn{
		hub: h, ws: ws, id: id, channel: channel, peer: peer, ctx: ctx, cancel: cancel,
		out:    outbox{liveLimit: h.opts.SendQueue, ctrlLimit: h.opts.RateBurst + 8},
		closed: make(chan struct{}),
		bucket: tokenBucket{rate: h.opts.RateLimit, burst: float64(h.opts.RateBurst)},
	}
}

// logger is made when needed: a logger per connection, kept for its whole
// life, would weigh on every idle socket for the rare warning.
func (c *conn) logger() *slog.Logger {
	return c.hub.opts.Logger.With("channel", c.channel, "user_id", c.peer.UserID, "conn_id", c.id)
}

func (c *conn) presence() Presence {
	return Presence{UserID: c.peer.UserID, DisplayName: c.peer.DisplayName, Role: c.peer.Role, ConnID: c.id}
}

// run serves the connection until its context ends, then closes the socket
// with the code that matches the reason.
func (c *conn) run(ctx context.Context) error {
	b := c.hub.opts.Broker
	c.hub.presenceChanging(c)
	if err := b.Join(ctx, c.channel, c.presence(), c.hub.opts.PresenceTTL); err != nil {
		c.hub.presenceChanged(c)
		_ = c.ws.Close(websocket.StatusTryAgainLater, "session unavailable")
		return fmt.Errorf("realtime: join: %w", err)
	}
	defer c.leave(ctx)
	// No writer can start before the welcome is written: the reader and the
	// grace timer have not started, and the context's end is watched only
	// from here on.
	if err := c.sendWelcome(ctx, ""); err != nil {
		c.hub.presenceChanged(c)
		c.closeSocket(err)
		return err
	}
	c.hub.presenceChanged(c)
	defer c.hub.opts.Metrics.WSOpened()()

	stopWatch := context.AfterFunc(ctx, c.wake)
	defer stopWatch()
	grace := time.AfterFunc(c.hub.opts.ResumeGrace, c.openLive)
	defer grace.Stop()
	stopKeepAlive := c.keepAlive(ctx)
	c.readLoop(ctx) // until the socket is closed
	<-c.closed
	stopKeepAlive() // no heartbeat may re-add the presence that leave removes
	cause := context.Cause(ctx)
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
	c.hub.presenceChanging(c)
	if err := c.hub.opts.Broker.Leave(ctx, c.channel, c.presence()); err != nil {
		c.logger().Warn("realtime: leave", "err", err)
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
	w := WelcomeData{UserID: c.peer.UserID, Role: c.peer.Role, LastSeq: last, State: st, Present: presentUsers(ps), Reason: reason,
		ConsentRequired: c.peer.ConsentRequired}
	if err := c.write(ctx, localMessage(TypeWelcome, w, c.hub.opts.Now())); err != nil {
		return err
	}
	c.sent, c.liveSent = max(c.sent, last), false
	return nil
}

// writeQueued is the writer: it writes what is queued, then ends. Once the
// connection's context has ended it writes nothing more (queued messages must
// not delay the close) and closes the socket instead.
func (c *conn) writeQueued() {
	for {
		it, m, next := c.out.next(c.ctx)
		var err error
		switch next {
		case nothing:
			return
		case closing:
			c.closeSocket(context.Cause(c.ctx))
			close(c.closed)
			return
		case ctrlNext:
			switch {
			case it.resume != nil:
				err = c.resume(c.ctx, *it.resume)
			case it.reply != nil:
				err = c.write(c.ctx, *it.reply)
			}
		case liveNext:
			err = c.writeLive(m)
		}
		if err != nil {
			c.cancel(err) // the next round closes the socket
		}
	}
}

func (c *conn) writeLive(m *outMsg) error {
	if m.end != nil {
		return m.end
	}
	if m.msg.Seq <= c.sent {
		return nil // covered by the welcome or a resume
	}
	err := c.writeFrame(c.ctx, m.frame)
	c.sent, c.liveSent = m.msg.Seq, true
	if err == nil && m.msg.Type == TypeSessionEnded {
		err = errSessionEnded
	}
	return err
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
	c.hub.opts.Metrics.WSMessage(false)
	return c.ws.Write(ctx, websocket.MessageText, frame)
}

// offer queues a live message without blocking; a full queue means the
// client fell behind, and it is told to resume.
func (c *conn) offer(m *outMsg) {
	if !c.out.pushLive(m, c) {
		c.cancel(ErrSlowClient)
	}
}

// endAfterQueue closes the connection with err once the messages already
// queued are written, so a session.ended just before it is not lost.
func (c *conn) endAfterQueue(err error) {
	if !c.out.pushLive(&outMsg{end: err}, c) {
		c.cancel(err)
	}
}

// queue hands work to the writer without blocking the reader; a writer that
// cannot keep up with replies is as behind as one with a full live queue.
func (c *conn) queue(it ctrlItem) {
	if !c.out.pushCtrl(it, c) {
		c.cancel(ErrSlowClient)
	}
}

// openLive lets live messages go out: the resume grace is over.
func (c *conn) openLive() {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	c.out.liveOpen = true
	c.wakeLocked()
}

// wake starts a writer if there is work for one; the context's end is work
// too (closing the socket).
func (c *conn) wake() {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	c.wakeLocked()
}

func (c *conn) wakeLocked() {
	if c.out.running || c.out.done || !c.out.hasWork(c.ctx) {
		return
	}
	c.out.running = true
	go c.writeQueued()
}

// outbox holds what waits to be written to one socket. Its slots are
// allocated as work arrives and dropped once it is empty: buffered channels
// would hold their full capacity for every idle socket.
type outbox struct {
	liveLimit, ctrlLimit int

	mu       sync.Mutex
	live     []*outMsg  // from the hub channel; shared, read-only
	ctrl     []ctrlItem // from the reader; before live messages
	liveOpen bool       // the first client message came, or the resume grace is over
	running  bool       // a writer is running
	done     bool       // the socket is being closed; no writer starts again
}

// What the writer does next. (Every constant of the package has its value
// spelled out: the API's contract test reads them from the source.)
type nextStep int

const (
	nothing  nextStep = 0
	closing  nextStep = 1
	ctrlNext nextStep = 2
	liveNext nextStep = 3
)

func (q *outbox) pushLive(m *outMsg, c *conn) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.live) >= q.liveLimit {
		return false
	}
	q.live = append(q.live, m)
	c.wakeLocked()
	return true
}

func (q *outbox) pushCtrl(it ctrlItem, c *conn) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ctrl) >= q.ctrlLimit {
		return false
	}
	q.ctrl = append(q.ctrl, it)
	c.wakeLocked()
	return true
}

func (q *outbox) hasWork(ctx context.Context) bool {
	return ctx.Err() != nil || len(q.ctrl) > 0 || (q.liveOpen && len(q.live) > 0)
}

// next takes the writer's next step. A writer that finds nothing to do ends
// here, under the lock, so work queued after this is seen by a new writer.
// Replies and resumes come before live messages, and any of them opens the
// way for live ones: a resume is answered before live messages follow it.
func (q *outbox) next(ctx context.Context) (ctrlItem, *outMsg, nextStep) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case ctx.Err() != nil:
		q.done = true
		return ctrlItem{}, nil, closing
	case len(q.ctrl) > 0:
		it := q.ctrl[0]
		q.ctrl = dropFirst(q.ctrl)
		q.liveOpen = true
		return it, nil, ctrlNext
	case q.liveOpen && len(q.live) > 0:
		m := q.live[0]
		q.live = dropFirst(q.live)
		return ctrlItem{}, m, liveNext
	}
	q.running = false
	return ctrlItem{}, nil, nothing
}

// dropFirst removes s[0], releasing the slots once s is empty.
func dropFirst[T any](s []T) []T {
	var zero T
	s[0] = zero
	if s = s[1:]; len(s) == 0 {
		return nil
	}
	return s
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
			c.logger().Warn("realtime: presence heartbeat", "err", err)
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
