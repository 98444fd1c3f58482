-- +goose Up
-- Files keep their content under its SHA-256 (blob.ContentKey), once for
-- every row with the same content, so blob_key is no longer unique; it
-- is indexed for the purge, which deletes a blob only when no row refers
-- to it. SQLite drops a UNIQUE constraint only by rebuilding the table.
CREATE TABLE files_new (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    blob_key     TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    kind         TEXT NOT NULL CHECK (kind IN ('portrait', 'map', 'recording', 'handout')),
    character_id TEXT REFERENCES characters(id) ON DELETE CASCADE,
    location_id  TEXT REFERENCES locations(id) ON DELETE CASCADE,
    session_id   TEXT REFERENCES game_sessions(id) ON DELETE CASCADE,
    visibility   TEXT NOT NULL CHECK (visibility IN ('gm', 'players')),
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    CHECK ((character_id IS NOT NULL) + (location_id IS NOT NULL) + (session_id IS NOT NULL) <= 1)
);
INSERT INTO files_new SELECT id, campaign_id, blob_key, name, content_type, size_bytes, sha256, kind, character_id, location_id,
    session_id, visibility, created_by, created_at FROM files;
-- DROP TABLE fires no trigger, so no key goes to orphaned_blobs.
DROP TABLE files;
ALTER TABLE files_new RENAME TO files;
CREATE INDEX files_campaign ON files(campaign_id, id);
CREATE INDEX files_blob_key ON files(blob_key);
-- +goose StatementBegin
CREATE TRIGGER files_orphan_blob AFTER DELETE ON files
BEGIN
    INSERT OR IGNORE INTO orphaned_blobs (blob_key) VALUES (OLD.blob_key);
END;
-- +goose StatementEnd

-- A GM approves a session's summary; a summary made again is a new one,
-- not approved yet.
ALTER TABLE session_summaries ADD COLUMN approved_by TEXT;
ALTER TABLE session_summaries ADD COLUMN approved_at INTEGER;

-- +goose Down
ALTER TABLE session_summaries DROP COLUMN approved_at;
ALTER TABLE session_summaries DROP COLUMN approved_by;
DROP INDEX files_blob_key;
-- Down cannot make shared keys unique again; it refuses instead of
-- losing rows.
CREATE UNIQUE INDEX files_blob_key_unique ON files(blob_key);
