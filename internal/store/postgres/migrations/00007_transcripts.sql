-- +goose Up
CREATE TABLE transcript_segments (
    id            uuid PRIMARY KEY,
    session_id    uuid NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    seq           bigint NOT NULL,
    speaker_label text NOT NULL DEFAULT '',
    start_ms      bigint NOT NULL,
    end_ms        bigint NOT NULL,
    text          text NOT NULL,
    source        text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    UNIQUE (session_id, seq)
);

-- Who a diarization label is: a member, a character, or both. Segments
-- keep only the label, so a mapping set later applies to earlier segments.
CREATE TABLE session_speakers (
    session_id   uuid NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    label        text NOT NULL,
    user_id      uuid REFERENCES users(id) ON DELETE SET NULL,
    character_id uuid,
    PRIMARY KEY (session_id, label)
);

-- +goose Down
DROP TABLE session_speakers;
DROP TABLE transcript_segments;
