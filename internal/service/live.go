package service

import "context"

// LiveMessage is something to show on the screens of a live session.
type LiveMessage struct {
	// Type is the protocol message type ("transcript.segment", "entity.changed"…).
	Type string
	Data any
	// GMOnly restricts the message to the session's GMs.
	GMOnly bool
}

// Live reaches the connected clients of game sessions. The realtime hub
// implements it; without one (tests, tools) messages go nowhere.
type Live interface {
	// Publish sends msg to everyone in the session it may reach.
	Publish(ctx context.Context, sessionID string, msg LiveMessage) error
	// CloseSession tells every client of the session that it ended and
	// disconnects them.
	CloseSession(ctx context.Context, sessionID, reason string) error
}

// publish sends msg to a live session, logging rather than failing: the
// write it reports has already committed.
func (s *Service) publish(ctx context.Context, sessionID string, msg LiveMessage) {
	if s.live == nil {
		return
	}
	if err := s.live.Publish(ctx, sessionID, msg); err != nil {
		s.log.WarnContext(ctx, "live publish failed", "session_id", sessionID, "type", msg.Type, "error", err.Error())
	}
}
