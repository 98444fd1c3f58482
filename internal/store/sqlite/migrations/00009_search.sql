-- +goose Up
-- The search index (package search). Entity writes keep it current in
-- their own transactions; deletes of entities are caught by the triggers
-- below, deletes of campaigns by ON DELETE CASCADE.
--
-- One row per indexed entity or reference entry. scope is the campaign id,
-- or 'reference' for SRD entries (campaign_id NULL). body is what every
-- member who sees the entity may read; gm_body (secret notes) is read and
-- searched for GMs only. aliases and tags are joined by U+001F.
CREATE TABLE search_docs (
    doc_id      INTEGER PRIMARY KEY,
    campaign_id TEXT REFERENCES campaigns(id) ON DELETE CASCADE,
    scope       TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    aliases     TEXT NOT NULL DEFAULT '',
    context     TEXT NOT NULL DEFAULT '',
    forms       TEXT NOT NULL DEFAULT '',
    gm_only     INTEGER NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    gm_body     TEXT NOT NULL DEFAULT '',
    UNIQUE (entity_type, entity_id)
);
CREATE INDEX search_docs_campaign ON search_docs(campaign_id);

-- The lookup keys of names and aliases: words, joined words, one-deletion
-- variants and Double Metaphone keys (computed in Go). Every probe is a
-- range of this primary key; gm_only is repeated here so that a player's
-- probe never reads a GM-only document's row.
CREATE TABLE search_keys (
    scope   TEXT NOT NULL,
    key     TEXT NOT NULL,
    doc_id  INTEGER NOT NULL REFERENCES search_docs(doc_id) ON DELETE CASCADE,
    gm_only INTEGER NOT NULL,
    PRIMARY KEY (scope, key, doc_id)
) WITHOUT ROWID;
CREATE INDEX search_keys_doc ON search_keys(doc_id);

CREATE TABLE search_tags (
    doc_id INTEGER NOT NULL REFERENCES search_docs(doc_id) ON DELETE CASCADE,
    tag    TEXT NOT NULL,
    PRIMARY KEY (doc_id, tag)
) WITHOUT ROWID;

-- Trigram index of the normalised names (rowid = doc_id): the fallback for
-- queries the keys cannot place. Contentless: search_docs holds the text.
CREATE VIRTUAL TABLE search_names USING fts5(names, content='', contentless_delete=1, tokenize='trigram');
-- How many names hold each trigram: the fallback looks up the rarest.
CREATE VIRTUAL TABLE search_names_vocab USING fts5vocab(search_names, 'row');
-- Full text of body and gm_body as normalised words (rowid = doc_id).
CREATE VIRTUAL TABLE search_text USING fts5(body, gm_body, content='', contentless_delete=1, tokenize='unicode61');

-- +goose StatementBegin
CREATE TRIGGER search_docs_fts_delete AFTER DELETE ON search_docs BEGIN
    DELETE FROM search_names WHERE rowid = OLD.doc_id;
    DELETE FROM search_text WHERE rowid = OLD.doc_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_unindex_session AFTER DELETE ON game_sessions BEGIN
    DELETE FROM search_docs WHERE entity_type = 'session' AND entity_id = OLD.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_unindex_character AFTER DELETE ON characters BEGIN
    DELETE FROM search_docs WHERE entity_type = 'character' AND entity_id = OLD.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_unindex_location AFTER DELETE ON locations BEGIN
    DELETE FROM search_docs WHERE entity_type = 'location' AND entity_id = OLD.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_unindex_plot AFTER DELETE ON plot_threads BEGIN
    DELETE FROM search_docs WHERE entity_type = 'plot' AND entity_id = OLD.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER search_unindex_plot;
DROP TRIGGER search_unindex_location;
DROP TRIGGER search_unindex_character;
DROP TRIGGER search_unindex_session;
DROP TABLE search_text;
DROP TABLE search_names_vocab;
DROP TABLE search_names;
DROP TABLE search_tags;
DROP TABLE search_keys;
DROP TABLE search_docs;
