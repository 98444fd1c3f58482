-- +goose Up
CREATE TABLE game_sessions (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    scheduled_at INTEGER,
    status       TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'live', 'ended')),
    started_at   INTEGER,
    ended_at     INTEGER,
    notes        TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (campaign_id, number)
);
-- One live session per campaign, enforced by the database itself.
CREATE UNIQUE INDEX game_sessions_one_live ON game_sessions(campaign_id) WHERE status = 'live';

-- +goose Down
DROP TABLE game_sessions;
