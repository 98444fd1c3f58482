-- +goose Up
-- Each instance keeps campaigns' vectors in memory (package embedcache)
-- and before every lookup reads only the rows changed since its last
-- read: those whose changed is above the clock it read then. The clock
-- counts the writes of a row's owner, model or vector; SQLite has one
-- writer at a time, so a write committed after a read always has a larger
-- value than that read saw. Deleted rows are told by the count of vectors
-- (embeddings_vectors).
ALTER TABLE embeddings ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
CREATE TABLE embedding_clock (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    tick INTEGER NOT NULL
);
INSERT INTO embedding_clock (id, tick) VALUES (1, 0);
-- The triggers' own update of changed is no update OF the columns they
-- watch, so it does not fire them again.
-- +goose StatementBegin
CREATE TRIGGER embeddings_changed_insert AFTER INSERT ON embeddings
BEGIN
    UPDATE embedding_clock SET tick = tick + 1;
    UPDATE embeddings SET changed = (SELECT tick FROM embedding_clock) WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER embeddings_changed_update AFTER UPDATE OF campaign_id, owner_type, owner_id, doc_id, model, dims, vector ON embeddings
BEGIN
    UPDATE embedding_clock SET tick = tick + 1;
    UPDATE embeddings SET changed = (SELECT tick FROM embedding_clock) WHERE id = NEW.id;
END;
-- +goose StatementEnd
CREATE INDEX embeddings_changed ON embeddings(campaign_id, changed);
CREATE INDEX embeddings_vectors ON embeddings(campaign_id, model) WHERE vector IS NOT NULL;
-- A player's lookup leaves out what only the GM sees, read at each lookup.
CREATE INDEX search_docs_gm_only ON search_docs(campaign_id) WHERE gm_only = 1;

-- +goose Down
DROP INDEX search_docs_gm_only;
DROP INDEX embeddings_vectors;
DROP INDEX embeddings_changed;
DROP TRIGGER embeddings_changed_update;
DROP TRIGGER embeddings_changed_insert;
DROP TABLE embedding_clock;
ALTER TABLE embeddings DROP COLUMN changed;
