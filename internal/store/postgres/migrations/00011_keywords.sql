-- +goose Up
-- Custom keywords a GM adds to the campaign's live keyword dictionary, and
-- the keyword hits detected in each session's transcript.
CREATE TABLE keywords (
    id          uuid PRIMARY KEY,
    campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    term        text NOT NULL,
    -- gmc.Keyword.TermKey: the term folded in Go, as the SQLite backend
    -- must, so that one campaign cannot hold a term twice.
    term_key    text NOT NULL,
    aliases     text[] NOT NULL DEFAULT '{}',
    category    text NOT NULL,
    visibility  text NOT NULL CHECK (visibility IN ('gm', 'players')),
    common      boolean NOT NULL DEFAULT false,
    notes       text NOT NULL DEFAULT '',
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (campaign_id, term_key)
);
CREATE INDEX keywords_campaign ON keywords(campaign_id, id);

-- Hits are written once and only listed per session in id order. They keep
-- the term's key and names rather than a foreign key to it: a hit records
-- what was heard, and outlives a renamed or deleted term.
CREATE TABLE keyword_hits (
    id          uuid PRIMARY KEY,
    session_id  uuid NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    segment_id  uuid NOT NULL REFERENCES transcript_segments(id) ON DELETE CASCADE,
    seq         bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('term', 'rule')),
    term_key    text NOT NULL,
    name        text NOT NULL,
    category    text NOT NULL,
    source      text NOT NULL,
    ref         text NOT NULL DEFAULT '',
    span_start  integer NOT NULL,
    span_end    integer NOT NULL,
    surface     text NOT NULL,
    confidence  double precision NOT NULL,
    reason      text NOT NULL,
    gm_only     boolean NOT NULL,
    merged      boolean NOT NULL DEFAULT false,
    -- A rule's values: json, not jsonb, so both backends give back the
    -- bytes that were written.
    rule_values json,
    characters  text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL
);
CREATE INDEX keyword_hits_session ON keyword_hits(session_id, id);
-- Serves the cascade when a segment goes.
CREATE INDEX keyword_hits_segment ON keyword_hits(segment_id);

-- +goose Down
DROP TABLE keyword_hits;
DROP TABLE keywords;
