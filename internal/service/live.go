package service

import (
	"context"
	"time"

	"github.com/gmc-project/gmc/internal/gmc"
)

// TicketTTL is how long a WebSocket ticket may wait to be redeemed.
const TicketTTL = 30 * time.Second

// LivePeer is who joins a live session, and as what.
type LivePeer struct {
	UserID      string
	DisplayName string
	Role        gmc.Role
	// ConsentRequired: the member has not answered the voice consent
	// question in the session's campaign yet.
	ConsentRequired bool
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
	m, err := s.store.Member(ctx, gs.CampaignID, userID)
	if err != nil {
		return nil, err
	}
	return &LivePeer{UserID: userID, DisplayName: u.DisplayName, Role: role, ConsentRequired: m.VoiceConsent == nil}, nil
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
