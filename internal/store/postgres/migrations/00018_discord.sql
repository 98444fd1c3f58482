-- +goose Up
-- Discord webhooks a campaign's GM registered. The token is a credential:
-- only its sealed form (AES-256-GCM, nonce first) is stored, with the id
-- of the key that sealed it so that keys can be rotated.
CREATE TABLE discord_webhooks (
    id           uuid PRIMARY KEY,
    campaign_id  uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    name         text NOT NULL,
    webhook_id   text NOT NULL,
    token_hint   text NOT NULL,
    token_sealed bytea NOT NULL,
    token_key_id text NOT NULL,
    gone_at      timestamptz,
    created_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL,
    UNIQUE (campaign_id, webhook_id)
);

-- The messages a recap job posted, one row per part, written as soon as
-- Discord confirmed each: a job tried again skips the parts found here.
CREATE TABLE discord_posts (
    job_id     text NOT NULL,
    part       integer NOT NULL CHECK (part >= 0),
    session_id uuid NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    webhook_id uuid NOT NULL REFERENCES discord_webhooks(id) ON DELETE CASCADE,
    message_id text NOT NULL,
    posted_at  timestamptz NOT NULL,
    PRIMARY KEY (job_id, part)
);
CREATE INDEX discord_posts_session ON discord_posts(session_id);
CREATE INDEX discord_posts_webhook ON discord_posts(webhook_id);

-- +goose Down
DROP TABLE discord_posts;
DROP TABLE discord_webhooks;
