-- +goose Up
-- A member's answer to "may this campaign process your voice?": NULL until
-- they answer. Audio of a member without a true here is dropped.
ALTER TABLE members ADD COLUMN voice_consent boolean;
ALTER TABLE members ADD COLUMN voice_consent_at timestamptz;

-- Audio files of sessions, kept in the file store under blob_key.
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

-- The blob keys of deleted recordings whose blobs may still be in the file
-- store. The trigger fills it in the deleting transaction, whatever deleted
-- the row (the recording, its session, campaign or the last GM's account),
-- so no blob is ever left without a row that leads to it; the purge
-- deletes the blobs and then these rows.
CREATE TABLE orphaned_blobs (
    blob_key text PRIMARY KEY
);
-- +goose StatementBegin
CREATE FUNCTION recordings_orphan_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orphaned_blobs (blob_key) VALUES (OLD.blob_key) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER recordings_orphan_blob AFTER DELETE ON recordings
    FOR EACH ROW EXECUTE FUNCTION recordings_orphan_blob();

-- +goose Down
DROP TABLE orphaned_blobs;
DROP TABLE recordings;
DROP FUNCTION recordings_orphan_blob();
ALTER TABLE members DROP COLUMN voice_consent_at;
ALTER TABLE members DROP COLUMN voice_consent;
