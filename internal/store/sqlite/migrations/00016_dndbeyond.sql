-- +goose Up
-- Characters imported from D&D Beyond: which D&D Beyond character each
-- is, and the document as D&D Beyond sent it (a BLOB: kept byte for byte).
CREATE TABLE dndbeyond_links (
    character_id TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL,
    dndbeyond_id INTEGER NOT NULL CHECK (dndbeyond_id > 0),
    document     BLOB NOT NULL,
    linked_by    TEXT NOT NULL,
    synced_at    INTEGER NOT NULL,
    -- A campaign holds a D&D Beyond character once, so a re-import finds
    -- the character it updates.
    UNIQUE (campaign_id, dndbeyond_id),
    FOREIGN KEY (campaign_id, character_id) REFERENCES characters(campaign_id, id) ON DELETE CASCADE
);
-- Serves the periodic sync, which takes the links synced longest ago.
CREATE INDEX dndbeyond_links_synced ON dndbeyond_links(synced_at);

-- +goose Down
DROP TABLE dndbeyond_links;
