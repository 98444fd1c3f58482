-- +goose Up
-- One embedding per campaign entity (through its search document) and
-- per transcript segment; deleting the owner deletes it. source is the
-- text embedded, version counts its changes, stale marks a row whose
-- vector is missing or behind (the embedding job's work list). vector is
-- little-endian float32 of unit length; similarity is computed in Go.
CREATE TABLE embeddings (
    id          INTEGER PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    owner_type  TEXT NOT NULL,
    owner_id    TEXT NOT NULL,
    doc_id      INTEGER REFERENCES search_docs(doc_id) ON DELETE CASCADE,
    segment_id  TEXT REFERENCES transcript_segments(id) ON DELETE CASCADE,
    source      TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    stale       INTEGER NOT NULL DEFAULT 1,
    model       TEXT NOT NULL DEFAULT '',
    dims        INTEGER NOT NULL DEFAULT 0,
    vector      BLOB,
    updated_at  INTEGER NOT NULL,
    UNIQUE (owner_type, owner_id),
    CHECK ((doc_id IS NULL) <> (segment_id IS NULL))
);
CREATE INDEX embeddings_pending ON embeddings(campaign_id, updated_at) WHERE stale = 1;
CREATE INDEX embeddings_campaign ON embeddings(campaign_id, model);
CREATE INDEX embeddings_doc ON embeddings(doc_id);
CREATE INDEX embeddings_segment ON embeddings(segment_id);

-- What was indexed before: pending, with the text search.EmbedText makes.
INSERT INTO embeddings (campaign_id, owner_type, owner_id, doc_id, source, updated_at)
SELECT campaign_id, entity_type, entity_id, doc_id,
       name || char(10) || replace(aliases, char(31), ', ') || char(10) || context || char(10) || body, 0
FROM search_docs WHERE campaign_id IS NOT NULL;
INSERT INTO embeddings (campaign_id, owner_type, owner_id, segment_id, source, updated_at)
SELECT g.campaign_id, 'segment', t.id, t.id, t.text, 0
FROM transcript_segments t JOIN game_sessions g ON g.id = t.session_id WHERE trim(t.text) <> '';

-- +goose Down
DROP TABLE embeddings;
