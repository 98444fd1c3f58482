-- +goose Up
-- A member's answer to "may this campaign process your voice?": NULL until
-- they answer. Audio of a member without a true here is dropped.
ALTER TABLE members ADD COLUMN voice_consent INTEGER CHECK (voice_consent IN (0, 1));
ALTER TABLE members ADD COLUMN voice_consent_at INTEGER;

-- Audio files of sessions, kept in the file store under blob_key.
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

-- The blob keys of deleted recordings whose blobs may still be in the file
-- store. The trigger fills it in the deleting transaction, whatever deleted
-- the row (the recording, its session, campaign or the last GM's account),
-- so no blob is ever left without a row that leads to it; the purge
-- deletes the blobs and then these rows.
CREATE TABLE orphaned_blobs (
    blob_key TEXT PRIMARY KEY
);
-- +goose StatementBegin
CREATE TRIGGER recordings_orphan_blob AFTER DELETE ON recordings
BEGIN
    INSERT OR IGNORE INTO orphaned_blobs (blob_key) VALUES (OLD.blob_key);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER recordings_orphan_blob;
DROP TABLE orphaned_blobs;
DROP TABLE recordings;
ALTER TABLE members DROP COLUMN voice_consent_at;
ALTER TABLE members DROP COLUMN voice_consent;
