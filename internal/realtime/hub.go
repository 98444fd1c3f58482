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
	"github.com/google/uuid"

	"github.com/gmc-project/gmc/internal/metrics"
)

// Errors Serve returns besides those of the broker.
var (
	// ErrSlowClient: the connection fell behind and was closed with CloseResume.
	ErrSlowClient = errors.New("realtime: client fell behind")
	// ErrTooManyConnections: the user already had HubOpts.MaxConnsPerUser.
	ErrTooManyConnections = errors.New("realtime: too many connections for user")
	// ErrTooManyOpens: sockets were opened faster than HubOpts.OpensPerUser
	// or OpensPerAddress allow.
	ErrTooManyOpens = errors.New("realtime: sockets opened too often")
)

// Reasons a connection ends that Serve does not report as errors.
var (
	errHubClosed    = errors.New("realtime: hub closed")
	errSessionEnded = errors.New("realtime: session ended")
	errPeerClosed   = errors.New("realtime: peer closed the connection")
	// errUnavailable marks broker failures that end a connection with 1013
	// (try again later) rather than a resume.
	errUnavailable = errors.New("realtime: broker unavailable")
)

// Peer is the member behind a connection, already authenticated by the caller.
type Peer struct {
	UserID      string
	DisplayName string
	Role        string // RoleGM, RolePlayer or RoleObserver
	// ConsentRequired is set when the member has not yet said whether the
	// campaign may process their voice; their welcome asks them.
	ConsentRequired bool
}

func (p Peer) validate() error {
	if p.UserID == "" {
		return fmt.Errorf("%w: peer without user id", ErrInvalid)
	}
	switch p.Role {
	case RoleGM, RolePlayer, RoleObserver:
		return nil
	}
	return fmt.Errorf("%w: peer role %q", ErrInvalid, p.Role)
}

// HubOpts configures a Hub. Only Broker is required.
type HubOpts struct {
	Broker Broker
	// Logger receives diagnostics (default: discard).
	Logger *slog.Logger
	// Now stamps connection-local messages and drives rate limits
	// (default time.Now). Keep-alive and grace timers use real time.
	Now func() time.Time
	// NewConnID names connections in presence (default: random UUIDs).
	NewConnID func() string
	// SendQueue bounds the messages waiting for one socket (default 256);
	// a connection whose queue is full is closed with CloseResume.
	SendQueue int
	// RateLimit and RateBurst bound what one connection may send
	// (default 20 messages per second, bursts of 40).
	RateLimit float64
	RateBurst int
	// ReadLimit bounds one client message (default 64 KiB).
	ReadLimit int64
	// WriteTimeout bounds one socket write (default 10 s).
	WriteTimeout time.Duration
	// PingInterval and PongTimeout drive the keep-alive (default 30 s, 15 s).
	PingInterval time.Duration
	PongTimeout  time.Duration
	// PresenceTTL is how long a connection stays present without a heartbeat
	// (default 90 s); heartbeats are sent every third of it.
	PresenceTTL time.Duration
	// PresenceWindow is how long joins and leaves are gathered into one
	// presence message (default 250 ms); see presence.go.
	PresenceWindow time.Duration
	// ResumeGrace is how long live messages wait for a client's resume
	// (default 1 s); see the protocol notes in protocol.go.
	ResumeGrace time.Duration
	// MaxConnsPerUser caps one user's connections to the hub (default 8).
	MaxConnsPerUser int
	// OpensPerUser and OpensPerAddress bound how many sockets one user and
	// one client address may open per OpenWindow (default 10 and 60 per
	// 10 s), with the allowance refilling evenly; Admit enforces them. An
	// address gets more because a household or a club shares one.
	OpensPerUser    int
	OpensPerAddress int
	OpenWindow      time.Duration
	// PlayerStateKeys are the state keys players may change (default
	// ["party_notes"]); GMs may change all.
	PlayerStateKeys []string
	// MaxChatRunes bounds a chat message (default 2000 characters).
	MaxChatRunes int
	// Metrics counts open sockets and their messages; nil counts nothing.
	Metrics *metrics.Metrics
}

func (o HubOpts) withDefaults() HubOpts {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewConnID == nil {
		o.NewConnID = uuid.NewString
	}
	o.SendQueue = orDefault(o.SendQueue, 256)
	o.RateLimit = orDefault(o.RateLimit, 20)
	o.RateBurst = orDefault(o.RateBurst, 40)
	o.ReadLimit = orDefault(o.ReadLimit, 64<<10)
	o.WriteTimeout = orDefault(o.WriteTimeout, 10*time.Second)
	o.PingInterval = orDefault(o.PingInterval, 30*time.Second)
	o.PongTimeout = orDefault(o.PongTimeout, 15*time.Second)
	o.PresenceTTL = orDefault(o.PresenceTTL, 90*time.Second)
	o.ResumeGrace = orDefault(o.ResumeGrace, time.Second)
	o.PresenceWindow = orDefault(o.PresenceWindow, 250*time.Millisecond)
	o.OpensPerUser = orDefault(o.OpensPerUser, 10)
	o.OpensPerAddress = orDefault(o.OpensPerAddress, 60)
	o.OpenWindow = orDefault(o.OpenWindow, 10*time.Second)
	o.MaxConnsPerUser = orDefault(o.MaxConnsPerUser, 8)
	o.MaxChatRunes = orDefault(o.MaxChatRunes, 2000)
	if o.PlayerStateKeys == nil {
		o.PlayerStateKeys = []string{"party_notes"}
	}
	return o
}

func orDefault[T int | int64 | float64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Hub serves the WebSocket connections of live sessions on top of a Broker.
// Per session channel it holds one broker subscription and fans each message
// out to the local connections allowed to see it.
type Hub struct {
	opts HubOpts

	mu       sync.Mutex
	closed   bool
	conns    map[*conn]struct{}
	perUser  map[string]int
	channels map[string]*hubChannel
	opens    openLimiter
	wg       sync.WaitGroup // one per running Serve

	presMu      sync.Mutex // guards presence and presClosed; taken before mu, never after
	presence    map[string]*presenceChannel
	presClosed  bool
	presFlushes sync.WaitGroup // one per scheduled or running presence flush
}

// NewHub returns a hub on opts.Broker.
func NewHub(opts HubOpts) (*Hub, error) {
	if opts.Broker == nil {
		return nil, fmt.Errorf("%w: HubOpts.Broker is required", ErrInvalid)
	}
	opts = opts.withDefaults()
	return &Hub{
		opts:     opts,
		conns:    map[*conn]struct{}{},
		perUser:  map[string]int{},
		channels: map[string]*hubChannel{},
		presence: map[string]*presenceChannel{},
		opens:    newOpenLimiter(opts),
	}, nil
}

// Serve runs the protocol on ws for peer in the session channel until the
// connection ends, and closes ws. It returns nil when the client left, the
// session ended or the hub closed, and the reason otherwise.
func (h *Hub) Serve(ctx context.Context, ws *websocket.Conn, channel string, peer Peer) error {
	if err := errors.Join(peer.validate(), validateChannel(channel)); err != nil {
		_ = ws.Close(websocket.StatusPolicyViolation, "invalid peer or session")
		return err
	}
	ws.SetReadLimit(h.opts.ReadLimit)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	c := newConn(ctx, h, ws, channel, peer, cancel)
	if err := h.register(c); err != nil {
		if errors.Is(err, ErrTooManyConnections) {
			_ = ws.Close(CloseTooManyConnections, "too many connections")
		} else {
			_ = ws.Close(websocket.StatusGoingAway, "server shutting down")
		}
		return err
	}
	defer h.unregister(c)
	hc, err := h.attach(ctx, c)
	if err != nil {
		_ = ws.Close(websocket.StatusTryAgainLater, "session unavailable")
		return fmt.Errorf("realtime: serve: %w", err)
	}
	defer h.detach(hc, c)
	err = c.run(ctx)
	h.opts.Logger.Debug("realtime: connection ended", "channel", channel, "user_id", peer.UserID, "conn_id", c.id, "cause", context.Cause(ctx))
	return err
}

// Broadcast publishes a server message (transcript.segment, keyword.alert,
// entity.changed, job.progress…) to a session; m.Audience decides who gets it.
func (h *Hub) Broadcast(ctx context.Context, channel string, m Message) (Message, error) {
	return h.opts.Broker.Publish(ctx, channel, m)
}

// CloseChannel ends a session: every connection to it, on every instance,
// receives session.ended with reason and is closed with CloseSessionEnded.
// The caller deletes the channel from the broker when it no longer needs it.
func (h *Hub) CloseChannel(ctx context.Context, channel string, reason string) error {
	msg := Message{Type: TypeSessionEnded, Data: mustData(SessionEndedData{Reason: reason})}
	if _, err := h.Broadcast(ctx, channel, msg); err != nil {
		// The broker is down, so other instances cannot be told; end at least
		// the local connections.
		h.mu.Lock()
		hc := h.channels[channel]
		h.mu.Unlock()
		if hc != nil {
			hc.kickAll(errSessionEnded)
		}
		return fmt.Errorf("realtime: close channel: %w", err)
	}
	return nil
}

// Close ends every connection (clients get 1001 and should reconnect and
// resume, typically to another instance) and waits for them to finish. It
// does not close the broker, which the caller closes afterwards.
func (h *Hub) Close() error {
	h.mu.Lock()
	h.closed = true
	for c := range h.conns {
		c.cancel(errHubClosed)
	}
	h.mu.Unlock()
	h.wg.Wait()
	// The leaves of the connections just ended still go out, so other
	// instances' clients see them; failed flushes are not retried now.
	h.presMu.Lock()
	h.presClosed = true
	h.presMu.Unlock()
	h.presFlushes.Wait()
	return nil
}

func (h *Hub) register(c *conn) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	if h.perUser[c.peer.UserID] >= h.opts.MaxConnsPerUser {
		return ErrTooManyConnections
	}
	h.perUser[c.peer.UserID]++
	h.conns[c] = struct{}{}
	h.wg.Add(1)
	return nil
}

func (h *Hub) unregister(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns, c)
	if h.perUser[c.peer.UserID]--; h.perUser[c.peer.UserID] <= 0 {
		delete(h.perUser, c.peer.UserID)
	}
	h.wg.Done()
}

// encodeFrame is the wire form of a message to clients (Audience is not part
// of it).
func encodeFrame(m Message) ([]byte, error) { return json.Marshal(m) }
