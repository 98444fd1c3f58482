-- +goose Up
-- Uploaded files of a campaign (portraits, maps, recordings, handouts),
-- kept in the file store under blob_key, which is made of ids only. An
-- attachment goes with the entity it is attached to.
CREATE TABLE files (
    id           uuid PRIMARY KEY,
    campaign_id  uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    blob_key     text NOT NULL UNIQUE,
    name         text NOT NULL,
    content_type text NOT NULL,
    size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
    sha256       text NOT NULL CHECK (length(sha256) = 64),
    kind         text NOT NULL CHECK (kind IN ('portrait', 'map', 'recording', 'handout')),
    character_id uuid REFERENCES characters(id) ON DELETE CASCADE,
    location_id  uuid REFERENCES locations(id) ON DELETE CASCADE,
    session_id   uuid REFERENCES game_sessions(id) ON DELETE CASCADE,
    visibility   text NOT NULL CHECK (visibility IN ('gm', 'players')),
    created_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL,
    CHECK (num_nonnulls(character_id, location_id, session_id) <= 1)
);
CREATE INDEX files_campaign ON files(campaign_id, id);

-- Like a recording's, a deleted file's blob key goes to orphaned_blobs in
-- the deleting transaction, whatever deleted the row.
-- +goose StatementBegin
CREATE FUNCTION files_orphan_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orphaned_blobs (blob_key) VALUES (OLD.blob_key) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER files_orphan_blob AFTER DELETE ON files
    FOR EACH ROW EXECUTE FUNCTION files_orphan_blob();

-- +goose Down
DROP TABLE files;
DROP FUNCTION files_orphan_blob();
