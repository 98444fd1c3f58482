-- +goose Up
-- One-time tickets that let a browser open a session's WebSocket (browsers
-- cannot set an Authorization header on the upgrade request). Kept in the
-- database so that any instance can redeem a ticket another one issued.
CREATE TABLE ws_tickets (
    ticket_hash bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_id  uuid NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX ws_tickets_expiry ON ws_tickets(expires_at);

-- +goose Down
DROP TABLE ws_tickets;
