-- +goose Up
-- A member's answer to "may this campaign process your voice?": NULL until
-- they answer. Audio of a member without a true here is dropped.
ALTER TABLE members ADD COLUMN voice_consent INTEGER CHECK (voice_consent IN (0, 1));
ALTER TABLE members ADD COLUMN voice_consent_at INTEGER;

-- Audio files of sessions, kept in the file store under blob_key. The row
-- is deleted after its blob, so a row always names a blob that was stored;
-- a blob left behind by a crash between the two is harmless to a reader.
CREATE TABLE recordings (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    session_id   TEXT NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
    blob_key     TEXT NOT NULL UNIQUE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
    duration_ms  INTEGER NOT NULL CHECK (duration_ms >= 0),
    tracks       INTEGER NOT NULL CHECK (tracks >= 1),
    status       TEXT NOT NULL CHECK (status IN ('stored', 'transcribed', 'failed')),
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    delete_after INTEGER
);
CREATE INDEX recordings_session ON recordings(session_id, id);
-- Serves the retention purge, which reads only rows with a date.
CREATE INDEX recordings_delete_after ON recordings(delete_after) WHERE delete_after IS NOT NULL;

-- +goose Down
DROP TABLE recordings;
ALTER TABLE members DROP COLUMN voice_consent_at;
ALTER TABLE members DROP COLUMN voice_consent;
