-- +goose Up
-- Each instance keeps campaigns' vectors in memory (package embedcache)
-- and before every lookup reads only the rows changed since its last
-- read. changed_xact is the transaction that last wrote a row's owner,
-- model or vector; a read remembers the oldest transaction its snapshot
-- did not see finish (pg_snapshot_xmin), and every row written by a
-- transaction that committed after that read has a changed_xact at least
-- as large. No counter row is shared by writers, so none waits for
-- another. Deleted rows are told by the count of vectors
-- (embeddings_vectors).
ALTER TABLE embeddings ADD COLUMN changed_xact xid8 NOT NULL DEFAULT pg_current_xact_id();
-- +goose StatementBegin
CREATE FUNCTION embeddings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_xact := pg_current_xact_id();
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER embeddings_changed BEFORE UPDATE OF campaign_id, owner_type, owner_id, doc_id, model, dims, vector ON embeddings
    FOR EACH ROW EXECUTE FUNCTION embeddings_changed();
CREATE INDEX embeddings_changed ON embeddings(campaign_id, changed_xact);
CREATE INDEX embeddings_vectors ON embeddings(campaign_id, model) WHERE vector IS NOT NULL;
-- A player's lookup leaves out what only the GM sees, read at each lookup.
CREATE INDEX search_docs_gm_only ON search_docs(campaign_id) WHERE gm_only;

-- +goose Down
DROP INDEX search_docs_gm_only;
DROP INDEX embeddings_vectors;
DROP INDEX embeddings_changed;
DROP TRIGGER embeddings_changed ON embeddings;
DROP FUNCTION embeddings_changed();
ALTER TABLE embeddings DROP COLUMN changed_xact;
