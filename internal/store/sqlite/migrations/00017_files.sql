-- +goose Up
-- Uploaded files of a campaign (portraits, maps, recordings, handouts),
-- kept in the file store under blob_key, which is made of ids only. An
-- attachment goes with the entity it is attached to.
CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    blob_key     TEXT NOT NULL UNIQUE,
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
CREATE INDEX files_campaign ON files(campaign_id, id);

-- Like a recording's, a deleted file's blob key goes to orphaned_blobs in
-- the deleting transaction, whatever deleted the row.
-- +goose StatementBegin
CREATE TRIGGER files_orphan_blob AFTER DELETE ON files
BEGIN
    INSERT OR IGNORE INTO orphaned_blobs (blob_key) VALUES (OLD.blob_key);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER files_orphan_blob;
DROP TABLE files;
