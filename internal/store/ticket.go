package store

import (
	"context"
	"time"
)

// TicketStore keeps one-time WebSocket tickets, hashed.
type TicketStore interface {
	// CreateTicket stores a ticket for userID to join sessionID until expires.
	// Expired tickets are swept at the same time.
	CreateTicket(ctx context.Context, hash []byte, userID, sessionID string, expires, now time.Time) error
	// RedeemTicket deletes the ticket with hash and returns its user and
	// session. ErrNotFound when it is unknown, already used or expired.
	RedeemTicket(ctx context.Context, hash []byte, now time.Time) (userID, sessionID string, err error)
}
