-- +goose Up
-- Characters, their achievements, and the relationship graph between them.
CREATE TABLE characters (
    id               TEXT PRIMARY KEY,
    campaign_id      TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    character_type   TEXT NOT NULL CHECK (character_type IN ('pc', 'npc')),
    stats            TEXT NOT NULL DEFAULT '{}',
    notes            TEXT NOT NULL DEFAULT '{}',
    gm_notes         TEXT NOT NULL DEFAULT '{}',
    voice_notes      TEXT NOT NULL DEFAULT '',
    aliases          TEXT NOT NULL DEFAULT '[]',
    tags             TEXT NOT NULL DEFAULT '[]',
    -- Lower-cased name and aliases (gmc.Character.SearchKey) for ?q=.
    search_key       TEXT NOT NULL,
    visibility       TEXT NOT NULL CHECK (visibility IN ('gm', 'players')),
    owner_id         TEXT REFERENCES users(id) ON DELETE SET NULL,
    portrait_file_id TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    -- The target of the composite foreign keys below, which make "both ends
    -- in the same campaign" a rule of the database. It also serves the list.
    UNIQUE (campaign_id, id)
);
CREATE INDEX characters_type ON characters(campaign_id, character_type, id);
CREATE INDEX characters_owner ON characters(campaign_id, owner_id, id);

-- One row per tag, so ?tag= is an index lookup; characters.tags keeps the
-- list in the order it was written, for reading.
CREATE TABLE character_tags (
    campaign_id  TEXT NOT NULL,
    tag          TEXT NOT NULL,
    character_id TEXT NOT NULL REFERENCES characters(id) ON DELETE CASCADE,
    PRIMARY KEY (campaign_id, tag, character_id)
);
CREATE INDEX character_tags_character ON character_tags(character_id);

CREATE TABLE achievements (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL,
    character_id TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    session_id   TEXT REFERENCES game_sessions(id) ON DELETE SET NULL,
    awarded_at   INTEGER NOT NULL,
    awarded_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    FOREIGN KEY (campaign_id, character_id) REFERENCES characters(campaign_id, id) ON DELETE CASCADE
);
CREATE INDEX achievements_character ON achievements(character_id, id);
CREATE INDEX achievements_session ON achievements(session_id);

-- An edge source -> target. A mutual relationship is two edges whose
-- pair_id names each other.
CREATE TABLE relationships (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    attitude    INTEGER NOT NULL CHECK (attitude BETWEEN -100 AND 100),
    description TEXT NOT NULL DEFAULT '',
    visibility  TEXT NOT NULL CHECK (visibility IN ('gm', 'players')),
    pair_id     TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK (source_id <> target_id),
    FOREIGN KEY (campaign_id, source_id) REFERENCES characters(campaign_id, id) ON DELETE CASCADE,
    FOREIGN KEY (campaign_id, target_id) REFERENCES characters(campaign_id, id) ON DELETE CASCADE,
    UNIQUE (source_id, target_id, kind)
);
-- The graph walks edges from either end: the unique index serves source_id,
-- this one target_id.
CREATE INDEX relationships_target ON relationships(target_id, source_id);
CREATE INDEX relationships_campaign ON relationships(campaign_id, id);

CREATE TABLE relationship_history (
    -- A sequence, not a UUID: entries are never addressed on their own,
    -- only listed in order.
    id              INTEGER PRIMARY KEY,
    relationship_id TEXT NOT NULL REFERENCES relationships(id) ON DELETE CASCADE,
    at              INTEGER NOT NULL,
    session_id      TEXT REFERENCES game_sessions(id) ON DELETE SET NULL,
    attitude_before INTEGER,
    attitude_after  INTEGER NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    actor_id        TEXT NOT NULL
);
CREATE INDEX relationship_history_relationship ON relationship_history(relationship_id, id);
CREATE INDEX relationship_history_session ON relationship_history(session_id);

-- +goose Down
DROP TABLE relationship_history;
DROP TABLE relationships;
DROP TABLE achievements;
DROP TABLE character_tags;
DROP TABLE characters;
