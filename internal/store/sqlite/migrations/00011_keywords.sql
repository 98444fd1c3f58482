-- +goose Up
-- Custom keywords a GM adds to the campaign's live keyword dictionary, and
-- the keyword hits detected in each session's transcript.
CREATE TABLE keywords (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    term        TEXT NOT NULL,
    -- gmc.Keyword.TermKey: the term folded in Go (SQLite's lower() knows
    -- only ASCII), so that one campaign cannot hold a term twice.
    term_key    TEXT NOT NULL,
    aliases     TEXT NOT NULL DEFAULT '[]',
    category    TEXT NOT NULL,
    visibility  TEXT NOT NULL CHECK (visibility IN ('gm', 'players')),
    common      INTEGER NOT NULL DEFAULT 0,
    notes       TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (campaign_id, term_key)
);
CREATE INDEX keywords_campaign ON keywords(campaign_id, id);

-- Hits are written once and only listed per session in id order. They keep
-- the term's key and names rather than a foreign key to it: a hit records
-- what was heard, and outlives a renamed or deleted term.
CREATE TABLE keyword_hits (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    segment_id  TEXT NOT NULL REFERENCES transcript_segments(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('term', 'rule')),
    term_key    TEXT NOT NULL,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    source      TEXT NOT NULL,
    ref         TEXT NOT NULL DEFAULT '',
    span_start  INTEGER NOT NULL,
    span_end    INTEGER NOT NULL,
    surface     TEXT NOT NULL,
    confidence  REAL NOT NULL,
    reason      TEXT NOT NULL,
    gm_only     INTEGER NOT NULL,
    merged      INTEGER NOT NULL DEFAULT 0,
    -- A rule's values (JSON object) and the characters it names (JSON array).
    rule_values TEXT,
    characters  TEXT NOT NULL DEFAULT '[]',
    created_at  INTEGER NOT NULL
);
CREATE INDEX keyword_hits_session ON keyword_hits(session_id, id);
-- Serves the cascade when a segment goes.
CREATE INDEX keyword_hits_segment ON keyword_hits(segment_id);

-- +goose Down
DROP TABLE keyword_hits;
DROP TABLE keywords;
