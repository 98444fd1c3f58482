-- +goose Up
-- Characters imported from D&D Beyond: which D&D Beyond character each
-- is, and the document as D&D Beyond sent it (bytea, not json: kept byte
-- for byte, and nothing queries inside it).
CREATE TABLE dndbeyond_links (
    character_id uuid PRIMARY KEY,
    campaign_id  uuid NOT NULL,
    dndbeyond_id bigint NOT NULL CHECK (dndbeyond_id > 0),
    document     bytea NOT NULL,
    linked_by    uuid NOT NULL,
    synced_at    timestamptz NOT NULL,
    -- A campaign holds a D&D Beyond character once, so a re-import finds
    -- the character it updates.
    CONSTRAINT dndbeyond_links_character UNIQUE (campaign_id, dndbeyond_id),
    FOREIGN KEY (campaign_id, character_id) REFERENCES characters(campaign_id, id) ON DELETE CASCADE
);
-- Serves the periodic sync, which takes the links synced longest ago.
CREATE INDEX dndbeyond_links_synced ON dndbeyond_links(synced_at);

-- +goose Down
DROP TABLE dndbeyond_links;
