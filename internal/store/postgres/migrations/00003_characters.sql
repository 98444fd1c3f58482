-- +goose Up
-- Characters, their achievements, and the relationship graph between them.
CREATE TABLE characters (
    id               uuid PRIMARY KEY,
    campaign_id      uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    name             text NOT NULL,
    character_type   text NOT NULL CHECK (character_type IN ('pc', 'npc')),
    -- json, not jsonb: nothing queries inside these documents, and json
    -- returns them byte for byte as written, as SQLite does.
    stats            json NOT NULL DEFAULT '{}',
    notes            json NOT NULL DEFAULT '{}',
    gm_notes         json NOT NULL DEFAULT '{}',
    voice_notes      text NOT NULL DEFAULT '',
    aliases          text[] NOT NULL DEFAULT '{}',
    tags             text[] NOT NULL DEFAULT '{}',
    -- Lower-cased name and aliases (gmc.Character.SearchKey) for ?q=.
    search_key       text NOT NULL,
    visibility       text NOT NULL CHECK (visibility IN ('gm', 'players')),
    owner_id         uuid REFERENCES users(id) ON DELETE SET NULL,
    portrait_file_id uuid,
    version          bigint NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    -- The target of the composite foreign keys below, which make "both ends
    -- in the same campaign" a rule of the database. It also serves the list.
    UNIQUE (campaign_id, id)
);
CREATE INDEX characters_type ON characters(campaign_id, character_type, id);
CREATE INDEX characters_owner ON characters(campaign_id, owner_id, id);

-- One row per tag, so ?tag= is an index lookup; characters.tags keeps the
-- list in the order it was written, for reading.
CREATE TABLE character_tags (
    campaign_id  uuid NOT NULL,
    tag          text NOT NULL,
    character_id uuid NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    PRIMARY KEY (campaign_id, tag, character_id)
);
CREATE INDEX character_tags_character ON character_tags(character_id);

CREATE TABLE achievements (
    id           uuid PRIMARY KEY,
    campaign_id  uuid NOT NULL,
    character_id uuid NOT NULL,
    title        text NOT NULL,
    description  text NOT NULL DEFAULT '',
    session_id   uuid REFERENCES game_sessions(id) ON DELETE SET NULL,
    awarded_at   timestamptz NOT NULL,
    awarded_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL,
    FOREIGN KEY (campaign_id, character_id) REFERENCES characters(campaign_id, id) ON DELETE CASCADE
);
CREATE INDEX achievements_character ON achievements(character_id, id);
CREATE INDEX achievements_session ON achievements(session_id);

-- An edge source -> target. A mutual relationship is two edges whose
-- pair_id names each other.
CREATE TABLE relationships (
    id          uuid PRIMARY KEY,
    campaign_id uuid NOT NULL,
    source_id   uuid NOT NULL,
    target_id   uuid NOT NULL,
    kind        text NOT NULL,
    attitude    integer NOT NULL CHECK (attitude BETWEEN -100 AND 100),
    description text NOT NULL DEFAULT '',
    visibility  text NOT NULL CHECK (visibility IN ('gm', 'players')),
    pair_id     uuid,
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CHECK (source_id <> target_id),
    FOREIGN KEY (campaign_id, source_id) REFERENCES characters(campaign_id, id) ON DELETE CASCADE,
    FOREIGN KEY (campaign_id, target_id) REFERENCES characters(campaign_id, id) ON DELETE CASCADE,
    CONSTRAINT relationships_edge UNIQUE (source_id, target_id, kind)
);
-- The graph walks edges from either end: the unique index serves source_id,
-- this one target_id.
CREATE INDEX relationships_target ON relationships(target_id, source_id);
CREATE INDEX relationships_campaign ON relationships(campaign_id, id);

CREATE TABLE relationship_history (
    -- A sequence, not a UUID: entries are never addressed on their own,
    -- only listed in order.
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    relationship_id uuid NOT NULL REFERENCES relationships(id) ON DELETE CASCADE,
    at              timestamptz NOT NULL,
    session_id      uuid REFERENCES game_sessions(id) ON DELETE SET NULL,
    attitude_before integer,
    attitude_after  integer NOT NULL,
    note            text NOT NULL DEFAULT '',
    actor_id        uuid NOT NULL
);
CREATE INDEX relationship_history_relationship ON relationship_history(relationship_id, id);
CREATE INDEX relationship_history_session ON relationship_history(session_id);

-- +goose Down
DROP TABLE relationship_history;
DROP TABLE relationships;
DROP TABLE achievements;
DROP TABLE character_tags;
DROP TABLE characters;
