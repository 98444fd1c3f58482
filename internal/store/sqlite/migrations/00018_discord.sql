-- +goose Up
-- Discord webhooks a campaign's GM registered. The token is a credential:
-- only its sealed form (AES-256-GCM, nonce first) is stored, with the id
-- of the key that sealed it so that keys can be rotated.
CREATE TABLE discord_webhooks (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    webhook_id   TEXT NOT NULL,
    token_hint   TEXT NOT NULL,
    token_sealed BLOB NOT NULL,
    token_key_id TEXT NOT NULL,
    gone_at      INTEGER,
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (campaign_id, webhook_id)
);

-- The messages a recap job posted, one row per part, written as soon as
-- Discord confirmed each: a job tried again skips the parts found here.
CREATE TABLE discord_posts (
    job_id     TEXT NOT NULL,
    part       INTEGER NOT NULL CHECK (part >= 0),
    session_id TEXT NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    webhook_id TEXT NOT NULL REFERENCES discord_webhooks(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    posted_at  INTEGER NOT NULL,
    PRIMARY KEY (job_id, part)
);
CREATE INDEX discord_posts_session ON discord_posts(session_id);
CREATE INDEX discord_posts_webhook ON discord_posts(webhook_id);

-- +goose Down
DROP TABLE discord_posts;
DROP TABLE discord_webhooks;
