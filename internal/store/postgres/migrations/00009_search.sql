-- +goose Up
-- The search index (package search). Entity writes keep it current in
-- their own transactions; deletes of entities are caught by the triggers
-- below, deletes of campaigns by ON DELETE CASCADE.
--
-- pg_trgm (trigram fallback) is required, fuzzystrmatch optional (tests
-- check the Double Metaphone keys gmc computes in Go against its
-- dmetaphone()). Both go in schema public, where every search_path finds
-- them and the queries name them; extensions are per database, so
-- concurrent migrations of several schemas take a lock to create them once.
-- +goose StatementBegin
DO $$
DECLARE
    have text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('gmc search extensions'));
    SELECT n.nspname INTO have FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    IF have IS NULL THEN
        CREATE EXTENSION pg_trgm WITH SCHEMA public;
    ELSIF have <> 'public' THEN
        RAISE EXCEPTION 'gmc needs the pg_trgm extension in schema public; it is installed in %', have;
    END IF;
    BEGIN
        CREATE EXTENSION IF NOT EXISTS fuzzystrmatch WITH SCHEMA public;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'fuzzystrmatch not installed (%); search does not need it', SQLERRM;
    END;
END
$$;
-- +goose StatementEnd

-- One row per indexed entity or reference entry. scope is the campaign id,
-- or 'reference' for SRD entries (campaign_id NULL). body is what every
-- member who sees the entity may read; gm_body (secret notes) is read and
-- searched for GMs only. The tsvectors index the texts as normalised words
-- (written by Go, so that both backends tokenise alike); 'simple' because
-- names and invented words must not be stemmed.
CREATE TABLE search_docs (
    doc_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id uuid REFERENCES campaigns(id) ON DELETE CASCADE,
    scope       text COLLATE "C" NOT NULL,
    entity_type text NOT NULL,
    entity_id   text NOT NULL,
    name        text NOT NULL,
    aliases     text[] NOT NULL DEFAULT '{}',
    tags        text[] NOT NULL DEFAULT '{}',
    context     text NOT NULL DEFAULT '',
    forms       text NOT NULL DEFAULT '',
    names       text NOT NULL DEFAULT '',
    gm_only     boolean NOT NULL,
    body        text NOT NULL DEFAULT '',
    gm_body     text NOT NULL DEFAULT '',
    body_tsv    tsvector NOT NULL,
    gm_tsv      tsvector NOT NULL,
    UNIQUE (entity_type, entity_id)
);
CREATE INDEX search_docs_campaign ON search_docs(campaign_id);
-- The trigram fallback: word similarity of the query to the names. The
-- GIN indexes do without the pending list (fastupdate): a search would
-- scan the whole list of recent writes until a vacuum merges it, which
-- made a full-text probe cost milliseconds instead of microseconds after
-- a bulk load. Writes are one entity at a time; they can afford it.
CREATE INDEX search_docs_names ON search_docs USING gin (names public.gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX search_docs_body ON search_docs USING gin (body_tsv) WITH (fastupdate = off);
CREATE INDEX search_docs_gm_body ON search_docs USING gin (gm_tsv) WITH (fastupdate = off);

-- The lookup keys of names and aliases: words, joined words, one-deletion
-- variants and Double Metaphone keys (computed in Go). Every probe is a
-- range of this primary key, COLLATE "C" so that prefix ranges are byte
-- ranges; gm_only is repeated here, and included in the index, so that a
-- probe is an index-only scan that never reads a GM-only document's row
-- for a player.
CREATE TABLE search_keys (
    scope   text COLLATE "C" NOT NULL,
    key     text COLLATE "C" NOT NULL,
    doc_id  bigint NOT NULL REFERENCES search_docs(doc_id) ON DELETE CASCADE,
    gm_only boolean NOT NULL,
    PRIMARY KEY (scope, key, doc_id) INCLUDE (gm_only)
);
CREATE INDEX search_keys_doc ON search_keys(doc_id);

-- +goose StatementBegin
CREATE FUNCTION search_unindex() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_docs WHERE entity_type = TG_ARGV[0] AND entity_id = OLD.id::text;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER search_unindex AFTER DELETE ON game_sessions FOR EACH ROW EXECUTE FUNCTION search_unindex('session');
CREATE TRIGGER search_unindex AFTER DELETE ON characters FOR EACH ROW EXECUTE FUNCTION search_unindex('character');
CREATE TRIGGER search_unindex AFTER DELETE ON locations FOR EACH ROW EXECUTE FUNCTION search_unindex('location');
CREATE TRIGGER search_unindex AFTER DELETE ON plot_threads FOR EACH ROW EXECUTE FUNCTION search_unindex('plot');

-- +goose Down
DROP TRIGGER search_unindex ON plot_threads;
DROP TRIGGER search_unindex ON locations;
DROP TRIGGER search_unindex ON characters;
DROP TRIGGER search_unindex ON game_sessions;
DROP FUNCTION search_unindex();
DROP TABLE search_keys;
DROP TABLE search_docs;
