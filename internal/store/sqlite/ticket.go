package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// CreateTicket stores a one-time ticket and sweeps expired ones.
func (db *DB) CreateTicket(ctx context.Context, hash []byte, userID, sessionID string, expires, now time.Time) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM ws_tickets WHERE expires_at <= ?`, micros(now)); err != nil {
			return interpretError(err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ws_tickets (ticket_hash, user_id, session_id, expires_at) VALUES (?, ?, ?, ?)`,
			hash, userID, sessionID, micros(expires))
		return interpretError(err)
	})
}

// RedeemTicket spends a ticket.
func (db *DB) RedeemTicket(ctx context.Context, hash []byte, now time.Time) (userID, sessionID string, err error) {
	err = db.tx(ctx, func(tx *sql.Tx) error {
		return interpretError(tx.QueryRowContext(ctx, `DELETE FROM ws_tickets WHERE ticket_hash = ? AND expires_at > ? RETURNING user_id, session_id`,
			hash, micros(now)).Scan(&userID, &sessionID))
	})
	return userID, sessionID, err
}
