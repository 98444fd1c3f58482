package live

import (
	"context"
	"encoding/json"

	"github.com/gmc-project/gmc/internal/realtime"
)

// message is the data of one type of message the table sends.
type message interface {
	messageType() string
}

// publish sends a message to a session's clients, to its GMs only when
// gmOnly, never failing: the write it reports has committed. A message the
// broker cannot take now is published once it can (see outbox).
func (t *Table) publish(ctx context.Context, sessionID string, data message, gmOnly bool) {
	if t.hub == nil {
		return
	}
	raw, err := json.Marshal(data)
	if err != nil {
		t.log.ErrorContext(ctx, "encode live message", "type", data.messageType(), "error", err.Error())
		return
	}
	m := realtime.Message{Type: data.messageType(), Data: raw}
	if gmOnly {
		m.Audience.Roles = []string{realtime.RoleGM}
	}
	t.outbox.send(ctx, sessionID, m)
}

// closeChannel sends session.ended to every client of the session, then
// drops the channel's replay window, state and presence.
func (t *Table) closeChannel(ctx context.Context, sessionID, reason string) error {
	if t.hub == nil {
		return nil
	}
	t.outbox.forget(sessionID)
	if err := t.hub.CloseChannel(ctx, sessionID, reason); err != nil {
		return err
	}
	return t.broker.DeleteChannel(ctx, sessionID)
}
