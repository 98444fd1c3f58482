-- +goose Up
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    display_name  text NOT NULL,
    password_hash text NOT NULL,
    version       bigint NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE refresh_tokens (
    id         uuid PRIMARY KEY,
    family_id  uuid NOT NULL,
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);

CREATE TABLE campaigns (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    game_system text NOT NULL DEFAULT '',
    settings    jsonb NOT NULL DEFAULT '{}',
    created_by  uuid NOT NULL,
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE members (
    campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('gm', 'player', 'observer')),
    joined_at   timestamptz NOT NULL,
    PRIMARY KEY (campaign_id, user_id)
);
CREATE INDEX members_user ON members(user_id, campaign_id);

CREATE TABLE invites (
    id          uuid PRIMARY KEY,
    campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    code        text NOT NULL UNIQUE,
    role        text NOT NULL CHECK (role IN ('gm', 'player', 'observer')),
    max_uses    integer NOT NULL,
    uses        integer NOT NULL DEFAULT 0,
    created_by  uuid NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX invites_campaign ON invites(campaign_id);

CREATE TABLE events (
    id          uuid PRIMARY KEY,
    campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    actor_id    uuid NOT NULL,
    action      text NOT NULL,
    entity_type text NOT NULL,
    entity_id   text NOT NULL,
    before      json,
    after       json,
    at          timestamptz NOT NULL
);
CREATE INDEX events_campaign ON events(campaign_id, id);
CREATE INDEX events_entity ON events(campaign_id, entity_type, entity_id, id);

-- +goose Down
DROP TABLE events;
DROP TABLE invites;
DROP TABLE members;
DROP TABLE campaigns;
DROP TABLE refresh_tokens;
DROP TABLE users;
