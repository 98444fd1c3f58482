-- +goose Up
CREATE TABLE transcript_segments (
    id            TEXT PRIMARY KEY,
    session_id    TEXT NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    speaker_label TEXT NOT NULL DEFAULT '',
    start_ms      INTEGER NOT NULL,
    end_ms        INTEGER NOT NULL,
    text          TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    UNIQUE (session_id, seq)
);

-- Who a diarization label is: a member, a character, or both. Segments
-- keep only the label, so a mapping set later applies to earlier segments.
CREATE TABLE session_speakers (
    session_id   TEXT NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    user_id      TEXT REFERENCES users(id) ON DELETE SET NULL,
    character_id TEXT,
    PRIMARY KEY (session_id, label)
);

-- +goose Down
DROP TABLE session_speakers;
DROP TABLE transcript_segments;
