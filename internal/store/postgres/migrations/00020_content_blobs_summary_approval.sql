-- +goose Up
-- Files keep their content under its SHA-256 (blob.ContentKey), once for
-- every row with the same content, so blob_key is no longer unique; it
-- is indexed for the purge, which deletes a blob only when no row refers
-- to it.
ALTER TABLE files DROP CONSTRAINT files_blob_key_key;
CREATE INDEX files_blob_key ON files(blob_key);

-- A row that goes takes its key's lock, shared, until its transaction
-- ends: the purge, which takes it exclusive, then sees the row gone or
-- there, never a deletion in flight (the lock is
-- postgres.lockBlob's). Deleting rows never wait for each other.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION files_orphan_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('gmc.blobs:' || OLD.blob_key, 0));
    INSERT INTO orphaned_blobs (blob_key) VALUES (OLD.blob_key) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION recordings_orphan_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtextextended('gmc.blobs:' || OLD.blob_key, 0));
    INSERT INTO orphaned_blobs (blob_key) VALUES (OLD.blob_key) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- A GM approves a session's summary; a summary made again is a new one,
-- not approved yet.
ALTER TABLE session_summaries ADD COLUMN approved_by uuid;
ALTER TABLE session_summaries ADD COLUMN approved_at timestamptz;

-- +goose Down
ALTER TABLE session_summaries DROP COLUMN approved_at;
ALTER TABLE session_summaries DROP COLUMN approved_by;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION recordings_orphan_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orphaned_blobs (blob_key) VALUES (OLD.blob_key) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION files_orphan_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orphaned_blobs (blob_key) VALUES (OLD.blob_key) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
DROP INDEX files_blob_key;
-- Fails, rather than losing rows, when files share content.
ALTER TABLE files ADD CONSTRAINT files_blob_key_key UNIQUE (blob_key);
