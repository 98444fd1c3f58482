package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/realtime"
)

// LiveServer runs the live-table protocol on an accepted WebSocket.
type LiveServer interface {
	// Admit says whether the user may open one more socket from addr now;
	// refusals are *realtime.AdmitError.
	Admit(userID, addr string) error
	Serve(ctx context.Context, ws *websocket.Conn, channel string, peer realtime.Peer) error
}

func (a *api) liveRoutes(h huma.API, mux *http.ServeMux) {
	authed(h, operation(http.MethodPost, "/sessions/{session_id}/ws-ticket", "create-ws-ticket", "A one-time ticket (30 s) to open the session's WebSocket from a browser", "live"), a.handleTicketCreate, a)
	// The upgrade is not a JSON operation, so it is a plain route; its
	// protocol is described in API.md and the realtime package.
	mux.HandleFunc("GET "+BasePath+"/sessions/{session_id}/ws", a.handleLiveSocket)
}

// TicketOutput answers with a one-time ticket for the session's WebSocket.
type TicketOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Ticket    string    `json:"ticket"`
		ExpiresAt time.Time `json:"expires_at"`
	}
}

func (a *api) handleTicketCreate(ctx context.Context, uid string, in *SessionPath) (*TicketOutput, error) {
	ticket, expires, err := a.svc.CreateTicket(ctx, uid, in.SessionID)
	if err != nil {
		return nil, err
	}
	out := &TicketOutput{CacheControl: "no-store"}
	out.Body.Ticket, out.Body.ExpiresAt = ticket, expires
	return out, nil
}

// handleLiveSocket checks the Origin, authenticates (bearer token or
// one-time ticket), checks membership, that the session is live and that the
// user may open another socket, and only then upgrades: people who may not
// join are refused with an HTTP status and a problem, not a closed socket.
// The Origin comes first so that a page on a foreign site cannot use up a
// ticket it cannot use.
func (a *api) handleLiveSocket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sessionID := r.PathValue("session_id")
	if a.live == nil {
		writeProblem(w, newProblem(http.StatusServiceUnavailable, "live_unavailable", "this server runs no live sessions"))
		return
	}
	if err := checkOrigin(r, a.allowedOrigins); err != nil {
		writeProblem(w, newProblem(http.StatusForbidden, "origin_not_allowed", err.Error()))
		return
	}
	uid, err := a.socketUser(ctx, r, sessionID)
	if err != nil {
		writeProblem(w, problemFrom(ctx, a.log, err))
		return
	}
	peer, err := a.svc.JoinLive(ctx, uid, sessionID)
	if err != nil {
		writeProblem(w, problemFrom(ctx, a.log, err))
		return
	}
	if err := a.live.Admit(uid, info(ctx).clientIP); err != nil {
		p := admitProblem(ctx, a, err)
		maps.Copy(w.Header(), p.headers)
		writeProblem(w, p)
		return
	}
	ws, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{OriginPatterns: a.allowedOrigins})
	if err != nil {
		return // not a WebSocket handshake; Accept has answered the client
	}
	// The socket is served on a goroutine of its own and this handler
	// returns: net/http then frees the request's buffers and the stack that
	// authentication grew, which would otherwise stay with every idle socket.
	// The hub ends the socket on shutdown (Hub.Close), not the request.
	rp := realtime.Peer{UserID: peer.UserID, DisplayName: peer.DisplayName, Role: string(peer.Role), ConsentRequired: peer.ConsentRequired}
	go a.serveLive(context.WithoutCancel(ctx), ws, sessionID, rp)
}

func (a *api) serveLive(ctx context.Context, ws *websocket.Conn, sessionID string, peer realtime.Peer) {
	err := a.live.Serve(ctx, ws, sessionID, peer)
	if err != nil && !errors.Is(err, context.Canceled) {
		a.log.InfoContext(ctx, "live connection ended", "request_id", requestID(ctx), "user_id", peer.UserID, "session_id", sessionID, "error", err.Error())
	}
}

func (a *api) socketUser(ctx context.Context, r *http.Request, sessionID string) (string, error) {
	if ticket := r.URL.Query().Get("ticket"); ticket != "" {
		uid, err := a.svc.RedeemTicket(ctx, ticket, sessionID)
		if err == nil {
			info(ctx).userID = uid
		}
		return uid, err
	}
	if !gmc.IsID(strings.ToLower(sessionID)) {
		return "", gmc.Invalid("path.session_id", "must be a UUID")
	}
	return a.user(ctx)
}

// checkOrigin applies the rule websocket.Accept applies (a browser page may
// open the socket from the server's own host or from an allowed one), before
// anything is spent on the request.
func checkOrigin(r *http.Request, patterns []string) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil // not a browser, or a same-origin request of an old one
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return fmt.Errorf("the Origin %q is not a URL with a host", origin)
	}
	if strings.EqualFold(u.Host, r.Host) {
		return nil
	}
	for _, p := range patterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target)); ok {
			return nil
		}
	}
	return fmt.Errorf("pages from %q may not open this server's live sockets (GMC_ALLOWED_ORIGINS)", u.Host)
}

func admitProblem(ctx context.Context, a *api, err error) *Problem {
	var ae *realtime.AdmitError
	if !errors.As(err, &ae) {
		return problemFrom(ctx, a.log, err)
	}
	var p *Problem
	if errors.Is(err, realtime.ErrTooManyConnections) {
		p = newProblem(http.StatusTooManyRequests, "too_many_sockets", "you already have the most live sockets one account may open; close one first")
	} else {
		p = newProblem(http.StatusTooManyRequests, "too_many_socket_opens", "live sockets are being opened too often from this account or address; retry after Retry-After seconds")
	}
	secs := int(math.Ceil(ae.RetryAfter.Seconds()))
	p.headers = http.Header{"Retry-After": {strconv.Itoa(max(secs, 1))}}
	return p
}

// smallBuffers gives websocket.Accept the hijacked connection with smaller
// buffers than net/http's 4 KiB each way. Live frames are small, larger ones
// go past a bufio buffer to the socket, and an idle socket keeps its buffers
// for as long as it is open: thousands of them made these 8 KiB the largest
// part of a connection's memory.
type smallBuffers struct{ http.ResponseWriter }

func (w smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// Bytes the client sent right after its handshake are already read.
	early, err := brw.Reader.Peek(brw.Reader.Buffered())
	if err != nil {
		return nil, nil, err
	}
	rd := io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn)
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(rd, 512), bufio.NewWriterSize(conn, 1024)), nil
}
