package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/service"
)

// hubLive lets the service reach live sessions through the realtime hub.
type hubLive struct {
	hub    *realtime.Hub
	broker realtime.Broker
}

var _ service.Live = hubLive{}

// Publish implements service.Live.
func (l hubLive) Publish(ctx context.Context, sessionID string, msg service.LiveMessage) error {
	data, err := json.Marshal(msg.Data)
	if err != nil {
		return fmt.Errorf("encode %s: %w", msg.Type, err)
	}
	m := realtime.Message{Type: msg.Type, Data: data}
	if msg.GMOnly {
		m.Audience.Roles = []string{realtime.RoleGM}
	}
	_, err = l.hub.Broadcast(ctx, sessionID, m)
	return err
}

// CloseSession implements service.Live: clients get session.ended, then the
// channel's replay window, state and presence are dropped.
func (l hubLive) CloseSession(ctx context.Context, sessionID, reason string) error {
	if err := l.hub.CloseChannel(ctx, sessionID, reason); err != nil {
		return err
	}
	return l.broker.DeleteChannel(ctx, sessionID)
}
