-- +goose Up
-- One embedding per campaign entity (through its search document) and
-- per transcript segment; deleting the owner deletes it. source is the
-- text embedded, version counts its changes, stale marks a row whose
-- vector is missing or behind (the embedding job's work list). vector is
-- little-endian float32 of unit length; similarity is computed in Go.
CREATE TABLE embeddings (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    owner_type  text NOT NULL,
    owner_id    text NOT NULL,
    doc_id      bigint REFERENCES search_docs(doc_id) ON DELETE CASCADE,
    segment_id  uuid REFERENCES transcript_segments(id) ON DELETE CASCADE,
    source      text NOT NULL,
    version     bigint NOT NULL DEFAULT 1,
    stale       boolean NOT NULL DEFAULT true,
    model       text NOT NULL DEFAULT '',
    dims        integer NOT NULL DEFAULT 0,
    vector      bytea,
    updated_at  timestamptz NOT NULL,
    UNIQUE (owner_type, owner_id),
    CHECK ((doc_id IS NULL) <> (segment_id IS NULL))
);
CREATE INDEX embeddings_pending ON embeddings(campaign_id, updated_at) WHERE stale;
CREATE INDEX embeddings_campaign ON embeddings(campaign_id, model);
CREATE INDEX embeddings_doc ON embeddings(doc_id);
CREATE INDEX embeddings_segment ON embeddings(segment_id);

-- What was indexed before: pending, with the text search.EmbedText makes.
INSERT INTO embeddings (campaign_id, owner_type, owner_id, doc_id, source, updated_at)
SELECT campaign_id, entity_type, entity_id, doc_id,
       name || E'\n' || array_to_string(aliases, ', ') || E'\n' || context || E'\n' || body, now()
FROM search_docs WHERE campaign_id IS NOT NULL;
INSERT INTO embeddings (campaign_id, owner_type, owner_id, segment_id, source, updated_at)
SELECT g.campaign_id, 'segment', t.id::text, t.id, t.text, now()
FROM transcript_segments t JOIN game_sessions g ON g.id = t.session_id WHERE btrim(t.text) <> '';

-- +goose Down
DROP TABLE embeddings;
