-- +goose Up
-- A member's answer to "may this campaign process your voice?": NULL until
-- they answer. Audio of a member without a true here is dropped.
ALTER TABLE members ADD COLUMN voice_consent boolean;
ALTER TABLE members ADD COLUMN voice_consent_at timestamptz;

-- Audio files of sessions, kept in the file store under blob_key. The row
-- is deleted after its blob, so a row always names a blob that was stored;
-- a blob left behind by a crash between the two is harmless to a reader.
CREATE TABLE recordings (
    id           uuid PRIMARY KEY,
    campaign_id  uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    session_id   uuid NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    blob_key     text NOT NULL UNIQUE,
    file_name    text NOT NULL,
    content_type text NOT NULL,
    size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
    duration_ms  bigint NOT NULL CHECK (duration_ms >= 0),
    tracks       integer NOT NULL CHECK (tracks >= 1),
    status       text NOT NULL CHECK (status IN ('stored', 'transcribed', 'failed')),
    created_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL,
    delete_after timestamptz
);
CREATE INDEX recordings_session ON recordings(session_id, id);
-- Serves the retention purge, which reads only rows with a date.
CREATE INDEX recordings_delete_after ON recordings(delete_after) WHERE delete_after IS NOT NULL;

-- +goose Down
DROP TABLE recordings;
ALTER TABLE members DROP COLUMN voice_consent_at;
ALTER TABLE members DROP COLUMN voice_consent;
