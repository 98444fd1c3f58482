package service

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
	"github.com/gmc-project/gmc/internal/store"
)

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

// TicketTTL is how long a WebSocket ticket may wait to be redeemed.
const TicketTTL = 30 * time.Second

// LivePeer is who joins a live session, and as what.
type LivePeer struct {
	UserID      string
	DisplayName string
	Role        gmc.Role
}

// JoinLive checks that the caller may connect to a session's live table:
// the session must be live and the caller a member (others get 404).
func (s *Service) JoinLive(ctx context.Context, userID, sessionID string) (*LivePeer, error) {
	gs, role, err := s.Session(ctx, userID, sessionID)
	if err != nil {
		return nil, err
	}
	if gs.Status != gmc.SessionLive {
		return nil, gmc.Errorf(gmc.ErrConflict, "session_not_live", "the session is %s, not live", gs.Status)
	}
	u, err := s.store.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	return &LivePeer{UserID: userID, DisplayName: u.DisplayName, Role: role}, nil
}

// CreateTicket issues a single-use ticket, valid for TicketTTL, that opens
// the session's WebSocket without an Authorization header.
func (s *Service) CreateTicket(ctx context.Context, userID, sessionID string) (string, time.Time, error) {
	if _, err := s.JoinLive(ctx, userID, sessionID); err != nil {
		return "", time.Time{}, err
	}
	ticket, hash, err := newRefreshSecret()
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.clock()
	expires := now.Add(TicketTTL)
	if err := s.store.CreateTicket(ctx, hash, userID, sessionID, expires, now); err != nil {
		return "", time.Time{}, err
	}
	return ticket, expires, nil
}

// RedeemTicket spends a ticket for the session it was issued for and
// returns its user.
func (s *Service) RedeemTicket(ctx context.Context, ticket, sessionID string) (string, error) {
	userID, ticketSession, err := s.store.RedeemTicket(ctx, hashRefresh(ticket), s.clock())
	if err != nil || ticketSession != sessionID {
		return "", gmc.Errorf(gmc.ErrUnauthenticated, "invalid_ticket", "the ticket is unknown, used, expired or for another session")
	}
	return userID, nil
}

// EntityChanged is the data of an entity.changed message.
type EntityChanged struct {
	Type   string `json:"entity_type"`
	ID     string `json:"entity_id"`
	Action string `json:"action"`
}

// announceChange tells the campaign's live session, if one is running,
// that an entity changed; GM-only entities are announced to GMs only, so a
// player never learns that one exists.
func (s *Service) announceChange(ctx context.Context, ref gmc.EntityRef) {
	if s.live == nil {
		return
	}
	live, _, err := s.store.Sessions(ctx, store.SessionFilter{CampaignID: ref.CampaignID, Status: gmc.SessionLive, Page: gmc.Page{Limit: 1}})
	if err != nil {
		s.log.WarnContext(ctx, "find live session", "campaign_id", ref.CampaignID, "error", err.Error())
		return
	}
	for _, gs := range live {
		s.publish(ctx, gs.ID, LiveMessage{Type: "entity.changed", Data: EntityChanged{Type: ref.Type, ID: ref.ID, Action: ref.Action}, GMOnly: ref.Visibility == gmc.VisibleGM})
	}
}
