-- +goose Up
CREATE TABLE game_sessions (
    id           uuid PRIMARY KEY,
    campaign_id  uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    number       integer NOT NULL,
    title        text NOT NULL DEFAULT '',
    scheduled_at timestamptz,
    status       text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'live', 'ended')),
    started_at   timestamptz,
    ended_at     timestamptz,
    notes        text NOT NULL DEFAULT '',
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    UNIQUE (campaign_id, number)
);
-- One live session per campaign, enforced by the database itself.
CREATE UNIQUE INDEX game_sessions_one_live ON game_sessions(campaign_id) WHERE status = 'live';

-- +goose Down
DROP TABLE game_sessions;
