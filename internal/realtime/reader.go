package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// readLoop handles what the client sends until the socket is closed. It reads
// with a context that the connection's end does not cancel: the socket is
// closed by closeSocket with a proper code, which ends the read.
func (c *conn) readLoop(ctx context.Context) {
	readCtx := context.WithoutCancel(ctx)
	first := true
	for {
		typ, data, err := c.ws.Read(readCtx)
		if err != nil {
			switch websocket.CloseStatus(err) {
			case websocket.StatusNormalClosure, websocket.StatusGoingAway:
				c.cancel(errPeerClosed)
			default:
				c.cancel(fmt.Errorf("%w: %v", errPeerClosed, err))
			}
			return
		}
		c.hub.opts.Metrics.WSMessage(true)
		if now := c.hub.opts.Now(); !c.bucket.allow(now) {
			// Answered, not disconnected, but at most once a second so a
			// flood does not turn into a flood of errors.
			if now.Sub(c.lastLimited) >= time.Second {
				c.lastLimited = now
				c.replyError(ErrorData{Code: ErrCodeRateLimited, Message: "too many messages", RetryAfterMS: max(c.bucket.retryAfter().Milliseconds(), 1)})
			}
			continue
		}
		var f clientFrame
		if typ != websocket.MessageText || json.Unmarshal(data, &f) != nil || f.Type == "" {
			c.replyError(ErrorData{Code: ErrCodeBadRequest, Message: `expected a JSON text message {"type","data"}`})
			continue
		}
		if first {
			first = false
			if f.Type != TypeResume {
				c.queue(ctrlItem{}) // no resume coming: start live messages now
			}
		}
		c.handle(ctx, f)
	}
}

func (c *conn) handle(ctx context.Context, f clientFrame) {
	switch f.Type {
	case TypePing:
		data := f.Data
		if len(data) == 0 {
			data = json.RawMessage("null")
		}
		m := Message{Type: TypePong, TS: c.hub.opts.Now().UTC(), Data: data}
		c.queue(ctrlItem{reply: &m})
	case TypeResume:
		var r ResumeRequest
		if err := unmarshalData(f.Data, &r); err != nil || r.LastSeq < 0 {
			c.replyError(ErrorData{Code: ErrCodeBadRequest, Message: "resume needs {last_seq >= 0}"})
			c.queue(ctrlItem{})
			return
		}
		c.queue(ctrlItem{resume: &r.LastSeq})
	case TypeChat:
		c.handleChat(ctx, f.Data)
	case TypeStateUpdate:
		c.handleStateUpdate(ctx, f.Data)
	default:
		c.replyError(ErrorData{Code: ErrCodeUnknownType, Message: fmt.Sprintf("unknown message type %q", f.Type)})
	}
}

func (c *conn) handleChat(ctx context.Context, data json.RawMessage) {
	if c.peer.Role == RoleObserver {
		c.replyError(ErrorData{Code: ErrCodeForbidden, Message: "observers may not chat"})
		return
	}
	var req ChatRequest
	if err := unmarshalData(data, &req); err != nil {
		c.replyError(ErrorData{Code: ErrCodeBadRequest, Message: "chat needs {text, to?}"})
		return
	}
	text := strings.TrimSpace(req.Text)
	if text == "" || utf8.RuneCountInString(text) > c.hub.opts.MaxChatRunes || len(req.To) > 128 {
		c.replyError(ErrorData{Code: ErrCodeBadRequest, Message: fmt.Sprintf("chat text must have 1 to %d characters", c.hub.opts.MaxChatRunes)})
		return
	}
	var aud Audience
	if req.To != "" {
		aud.UserIDs = []string{c.peer.UserID, req.To}
	}
	out := ChatData{From: c.peer.UserID, Name: c.peer.DisplayName, Role: c.peer.Role, Text: text, To: req.To, ClientTS: req.ClientTS}
	if _, err := c.hub.opts.Broker.Publish(ctx, c.channel, Message{Type: TypeChat, Data: mustData(out), Audience: aud}); err != nil {
		c.unavailable(ctx, err)
	}
}

func (c *conn) handleStateUpdate(ctx context.Context, data json.RawMessage) {
	var req StateUpdateRequest
	var keys map[string]json.RawMessage
	if err := unmarshalData(data, &req); err != nil || json.Unmarshal(req.Patch, &keys) != nil || keys == nil {
		c.replyError(ErrorData{Code: ErrCodeInvalidPatch, Message: "state.update needs {base_version, patch: {…}}"})
		return
	}
	if err := stateUpdateAllowed(c.peer.Role, keys, c.hub.opts.PlayerStateKeys); err != nil {
		c.replyError(ErrorData{Code: ErrCodeForbidden, Message: err.Error()})
		return
	}
	st, err := c.hub.opts.Broker.UpdateState(ctx, c.channel, req.BaseVersion, req.Patch)
	switch {
	case errors.Is(err, ErrStaleState):
		c.replyError(ErrorData{Code: ErrCodeStaleState, Message: "the state changed; rebase on the state given", State: &st})
		return
	case errors.Is(err, ErrInvalidPatch):
		c.replyError(ErrorData{Code: ErrCodeInvalidPatch, Message: strings.TrimPrefix(err.Error(), "realtime: update state: ")})
		return
	case err != nil:
		c.unavailable(ctx, err)
		return
	}
	patch := StatePatchData{Version: st.Version, Patch: req.Patch, Data: st.Data, By: c.peer.UserID}
	if _, err := c.hub.opts.Broker.Publish(ctx, c.channel, Message{Type: TypeStatePatch, Data: mustData(patch)}); err != nil {
		// The state changed but could not be announced; clients catch up
		// from the next state.patch (it carries the whole state) or welcome.
		c.unavailable(ctx, err)
	}
}

func (c *conn) unavailable(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // the connection is ending; nobody to tell
	}
	c.logger().Warn("realtime: broker call failed", "err", err)
	c.replyError(ErrorData{Code: ErrCodeUnavailable, Message: "the session is temporarily unavailable; try again"})
}

func (c *conn) replyError(e ErrorData) {
	m := localMessage(TypeError, e, c.hub.opts.Now())
	c.queue(ctrlItem{reply: &m})
}
