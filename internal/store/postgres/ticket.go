package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// CreateTicket stores a one-time ticket and sweeps expired ones.
func (db *DB) CreateTicket(ctx context.Context, hash []byte, userID, sessionID string, expires, now time.Time) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM ws_tickets WHERE expires_at <= $1`, now); err != nil {
			return interpretError(err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO ws_tickets (ticket_hash, user_id, session_id, expires_at) VALUES ($1, $2, $3, $4)`,
			hash, userID, sessionID, expires)
		return interpretError(err)
	})
}

// RedeemTicket spends a ticket. DELETE … RETURNING makes it single use even
// when two instances redeem the same ticket at once.
func (db *DB) RedeemTicket(ctx context.Context, hash []byte, now time.Time) (userID, sessionID string, err error) {
	err = interpretError(db.q.QueryRow(ctx, `DELETE FROM ws_tickets WHERE ticket_hash = $1 AND expires_at > $2 RETURNING user_id, session_id`,
		hash, now).Scan(&userID, &sessionID))
	return userID, sessionID, err
}
