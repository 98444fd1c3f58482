package live

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gmc-project/gmc/internal/realtime"
)

// message is the data of one type of message the table sends.
type message interface {
	messageType() string
}

// publish sends a message to a session's clients, to its GMs only when
// gmOnly, logging rather than failing: the write it reports has committed.
func (t *Table) publish(ctx context.Context, sessionID string, data message, gmOnly bool) {
	if t.hub == nil {
		return
	}
	if err := t.broadcast(ctx, sessionID, data, gmOnly); err != nil {
		t.log.WarnContext(ctx, "live publish failed", "session_id", sessionID, "type", data.messageType(), "error", err.Error())
	}
}

func (t *Table) broadcast(ctx context.Context, sessionID string, data message, gmOnly bool) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s: %w", data.messageType(), err)
	}
	m := realtime.Message{Type: data.messageType(), Data: raw}
	if gmOnly {
		m.Audience.Roles = []string{realtime.RoleGM}
	}
	_, err = t.hub.Broadcast(ctx, sessionID, m)
	return err
}

// closeChannel sends session.ended to every client of the session, then
// drops the channel's replay window, state and presence.
func (t *Table) closeChannel(ctx context.Context, sessionID, reason string) error {
	if t.hub == nil {
		return nil
	}
	if err := t.hub.CloseChannel(ctx, sessionID, reason); err != nil {
		return err
	}
	return t.broker.DeleteChannel(ctx, sessionID)
}
