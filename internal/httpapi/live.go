package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/danielgtaylor/huma/v2"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/realtime"
)

// LiveServer runs the live-table protocol on an accepted WebSocket.
type LiveServer interface {
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

// handleLiveSocket authenticates (bearer token or one-time ticket), checks
// membership and that the session is live, and only then upgrades: people
// who may not join are refused with an HTTP status, not a closed socket.
func (a *api) handleLiveSocket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sessionID := r.PathValue("session_id")
	if a.live == nil {
		writeProblem(w, newProblem(http.StatusServiceUnavailable, "live_unavailable", "this server runs no live sessions"))
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
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: a.allowedOrigins})
	if err != nil {
		return // Accept has answered the client.
	}
	err = a.live.Serve(ctx, ws, sessionID, realtime.Peer{UserID: peer.UserID, DisplayName: peer.DisplayName, Role: string(peer.Role)})
	if err != nil && !errors.Is(err, context.Canceled) {
		a.log.InfoContext(ctx, "live connection ended", "request_id", requestID(ctx), "user_id", uid, "session_id", sessionID, "error", err.Error())
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
